# report_xlsx.sh - the workbook part of tests/test_report.sh (sourced).
