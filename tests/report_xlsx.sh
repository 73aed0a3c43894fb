# report_xlsx.sh - the workbook part of tests/test_report.sh (sourced by
# it, after the HTML part: T, KPISIM, ok/bad/check/run_k are its).
#
# `kpisim report DIR --xlsx` on the run titled in Chinese, the compare, the
# sweep and a compare of two scenarios whose names are longer than a sheet
# name may be; the workbook read back with Python's zipfile and xml.etree
# only (no spreadsheet library: an independent reader of the package).

for d in zh cmp sw cal sens; do
    run_k 0 report "$T/$d" --xlsx --no-html
    out_has "$T/$d/report.xlsx"
    left=$(find "$T/$d" -maxdepth 1 -name '.report*' | head -n 3)
    if [ -z "$left" ]; then ok; else bad "$d: temporary files left: $left"; fi
done

# Two scenarios whose names share their first 31 characters.
for k in one two; do
    printf 'extends: %s/tests/data/fault/tiny.yaml\nname: strategy-with-a-rather-long-name-%s\ntitle: "Стратегия %s"\n' \
        "$ROOT" "$k" "$k" >"$T/long-$k.yaml"
done
"$KPISIM" compare "$T/long-one.yaml" "$T/long-two.yaml" -n 6 --set 'sales_cycle=~' -o "$T/long" --quiet >/dev/null 2>&1
run_k 0 report "$T/long" --xlsx
out_has "$T/long/report.xlsx"
out_has "$T/long/report.html"

cat >"$T/xlsx.py" <<'EOF'
import csv, re, sys, zipfile
import xml.etree.ElementTree as ET
NS = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
      'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
      'pr': 'http://schemas.openxmlformats.org/package/2006/relationships'}
path, kind, rundir = sys.argv[1], sys.argv[2], sys.argv[3]
z = zipfile.ZipFile(path)
problems = []
bad = problems.append
parts = set(z.namelist())
wb = ET.fromstring(z.read('xl/workbook.xml'))
rels = {r.get('Id'): r.get('Target') for r in ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))}
sheets = {}
for s in wb.find('m:sheets', NS):
    sheets[s.get('name')] = 'xl/' + rels[s.get('{%s}id' % NS['r'])].lstrip('/').replace('xl/', '', 1)
names = {d.get('name'): d.text for d in wb.iter('{%s}definedName' % NS['m'])}
# Excel's rules for sheet names
seen = set()
for n in sheets:
    if len(n) > 31 or re.search(r'[\[\]:*?/\\]', n) or n.startswith("'") or n.endswith("'"):
        bad('sheet name %r breaks Excel\'s rules' % n)
    if n.lower() in seen:
        bad('sheet name %r twice' % n)
    seen.add(n.lower())
shared = []
if 'xl/sharedStrings.xml' in parts:
    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', NS):
        shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % NS['m'])))
styles = ET.fromstring(z.read('xl/styles.xml'))
fmts = {int(f.get('numFmtId')): f.get('formatCode') for f in styles.iter('{%s}numFmt' % NS['m'])}
fmts.update({0: 'General', 1: '0', 3: '#,##0', 4: '#,##0.00', 10: '0.00%'})
xfs = [int(x.get('numFmtId', '0')) for x in styles.find('m:cellXfs', NS)]

def col_index(ref):
    letters = re.match(r'[A-Z]+', ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1

def read_sheet(name):
    root = ET.fromstring(z.read(sheets[name]))
    cells = {}
    for row in root.iter('{%s}row' % NS['m']):
        r = int(row.get('r')) - 1
        for c in row.findall('m:c', NS):
            v = c.find('m:v', NS)
            t = c.get('t')
            val = None if v is None else v.text
            if t == 's' and val is not None:
                val = shared[int(val)]
            cells[(r, col_index(c.get('r')))] = (t, val, fmts.get(xfs[int(c.get('s', '0'))], '?'))
    return root, cells

def check_data(name, csvpath, want_fmt):
    if name not in sheets:
        bad('no sheet %r (sheets: %s)' % (name, sorted(sheets)))
        return
    root, cells = read_sheet(name)
    rows = list(csv.reader(open(csvpath, newline='', encoding='utf-8')))
    checked = 0
    for r, row in enumerate(rows):
        for k, text in enumerate(row):
            got = cells.get((r, k))
            try:
                num = float(text)
                isnum = text.strip() != '' and num == num and abs(num) != float('inf')
            except ValueError:
                isnum = False
            if r > 0 and isnum:
                if got is None or got[0] not in (None, 'n') or got[1] is None:
                    bad('%s: cell %d,%d: %r is not stored as a number (%r)' % (name, r, k, text, got)); continue
                v = float(got[1])
                if abs(v - num) > 1e-12 * max(1.0, abs(num)):
                    bad('%s: cell %d,%d: %r in the CSV, %r in the sheet' % (name, r, k, text, got[1]))
                checked += 1
            elif text == '' or text.lower() in ('nan', '-nan', 'inf', '-inf'):
                if got is not None and got[1] not in (None, ''):
                    bad('%s: cell %d,%d: empty in the CSV, %r in the sheet' % (name, r, k, got[1]))
            else:
                if got is None or got[1] != text:
                    bad('%s: cell %d,%d: %r in the CSV, %r in the sheet' % (name, r, k, text, got))
    if checked == 0:
        bad('%s: no number checked' % name)
    for col, fmt in want_fmt.items():
        k = rows[0].index(col)
        got = cells.get((1, k))
        if not got or got[2] != fmt:
            bad('%s: column %s has number format %r, expected %r' % (name, col, got and got[2], fmt))
    pane = root.find('.//m:pane', NS)
    if pane is None or pane.get('state') != 'frozen' or pane.get('ySplit') != '1':
        bad('%s: header row not frozen' % name)
    af = root.find('m:autoFilter', NS)
    if af is None or not af.get('ref', '').startswith('A1:'):
        bad('%s: no autofilter' % name)
    dn = 'data_' + re.sub(r'[^A-Za-z0-9_]', '_', name)
    if dn not in names:
        bad('no defined name %s (names: %s)' % (dn, sorted(names)))
    widths = [float(c.get('width')) for c in root.iter('{%s}col' % NS['m'])]
    if not widths or min(widths) < 5:
        bad('%s: column widths not set' % name)

def check_rows(name, want, last=7):
    # want: the first column's text of a row -> the number format of its
    # columns 1..last (the empty cells of a row are not checked)
    if name not in sheets:
        bad('no sheet %r' % name)
        return
    _, cells = read_sheet(name)
    where = {v[1]: r for (r, k), v in cells.items() if k == 0 and r > 0}
    for label, fmt in want.items():
        if label not in where:
            bad('%s: no row %r' % (name, label))
            continue
        seen = 0
        for k in range(1, last + 1):
            got = cells.get((where[label], k))
            if not got or got[1] in (None, ''):
                continue
            seen += 1
            if got[2] != fmt:
                bad('%s: row %r column %d has number format %r, expected %r' % (name, label, k, got[2], fmt))
        if seen == 0:
            bad('%s: row %r has no number' % (name, label))

charts = sorted(p for p in parts if re.match(r'xl/charts/chart\d+\.xml$', p))
chart_xml = ''.join(z.read(p).decode('utf-8') for p in charts)
if 'front' not in sheets:
    bad('no front sheet')
front_root, front = read_sheet('front')
front_text = ' '.join(str(v[1]) for v in front.values() if v[0] == 's')
for need in ['kpisim', 'report made', 'command line', 'not recorded']:
    if need not in front_text:
        bad('front sheet lacks %r' % need)
if kind == 'run':
    check_data('monthly', rundir + '/monthly.csv',
               {'month': '0', 'premium_mean': '#,##0', 'activity_rate_mean': '0.0%',
                'headcount_mean': '#,##0', 'cases_per_active_mean': '#,##0.00'})
    check_data('summary', rundir + '/summary.csv', {})
    # summary.csv names a figure a row: every value of the row in the
    # figure's unit (a share as a percentage, a ratio with decimals)
    check_rows('summary', {'total_premium': '#,##0', 'final_headcount': '#,##0',
                           'mean_activity_rate': '0.0%', 'not_taken_share': '0.0%',
                           'premium_volatility': '#,##0.00', 'cycle_days_mean': '#,##0.00',
                           'cases_per_active': '#,##0.00'})
    # the front sheet's headline rows, by their labels, the same way
    check_rows('front', {'Mean activity rate': '0.0%', 'Applications not taken up': '0.0%',
                         'Premium volatility (residual sd of log premium)': '#,##0.00',
                         'Working days from first meeting to issue': '#,##0.00'}, last=3)
    if len(charts) < 5 or chart_xml.count('<c:lineChart>') < 5:
        bad('%d charts, %d line charts: expected the fans and the KPIs' % (len(charts), chart_xml.count('<c:lineChart>')))
    for kpi in ['premium_p50', 'headcount_p05', 'activity_rate_p95', 'cases_per_active_p50', 'premium_per_case_p50']:
        col = next(csv.reader(open(rundir + '/monthly.csv'))).index(kpi)
        ref = ''
        n = col + 1
        while n:
            n, rem = divmod(n - 1, 26)
            ref = chr(65 + rem) + ref
        if ("monthly!$%s$2" % ref) not in chart_xml and ("'monthly'!$%s$2" % ref) not in chart_xml:
            bad('no chart draws %s (column %s of monthly)' % (kpi, ref))
    if '高效利用客户资源' not in front_text:
        bad('the Chinese title is not on the front sheet')
    core = z.read('docProps/core.xml').decode('utf-8')
    if '高效利用客户资源' not in core:
        bad('the Chinese title is not the workbook\'s title')
    _, sc = read_sheet('scenario')
    rows = {}
    for (r, k), v in sc.items():
        rows.setdefault(r, {})[k] = v[1]
    kv = {row.get(0): row for row in rows.values()}
    if 'activity.calls_per_day' not in kv or float(kv['activity.calls_per_day'][1]) <= 0:
        bad('scenario sheet lacks activity.calls_per_day')
    elif not kv['activity.calls_per_day'].get(2):
        bad('scenario sheet: no meaning for activity.calls_per_day')
    if 'title' not in kv or kv['title'][1] != '高效利用客户资源':
        bad('scenario sheet: title %r' % (kv.get('title'),))
if kind == 'compare':
    check_data('comparison', rundir + '/comparison.csv', {})
    for s in ['fault-tiny', 'fault-other']:
        check_data(s + ' monthly', '%s/%s/monthly.csv' % (rundir, s), {'premium_mean': '#,##0'})
        check_data(s + ' summary', '%s/%s/summary.csv' % (rundir, s), {})
    if '<c:barChart>' not in chart_xml:
        bad('no bar chart of the comparison')
    if 'P(higher)' not in front_text or 'Best strategy' not in front_text:
        bad('front sheet lacks P(higher) or the best strategy')
if kind == 'sweep':
    check_data('sweep', rundir + '/sweep.csv', {'total_premium_mean': '#,##0', 'repeat_share_mean': '0.0%'})
    hm, _ = read_sheet('heat map')
    if hm.find('m:conditionalFormatting', NS) is None or hm.find('.//m:colorScale', NS) is None:
        bad('the heat map has no colour scale')
if kind == 'long':
    if len(sheets) < 7:
        bad('only %d sheets: %s' % (len(sheets), sorted(sheets)))
    for t in ['Стратегия one', 'Стратегия two']:
        if t not in front_text:
            bad('the Russian title %r is not on the front sheet' % t)
if kind == 'nan':
    check_data('summary', rundir + '/summary.csv', {})
if kind == 'sensitivity':
    check_data('sensitivity', rundir + '/sensitivity.csv', {})
    check_data('samples', rundir + '/samples.csv', {})
if kind == 'calibrate':
    check_data('fit', rundir + '/fit.csv', {})
    check_data('fit-monthly', rundir + '/fit-monthly.csv', {})
    check_data('trace', rundir + '/trace.csv', {})
    check_data('projection', rundir + '/projection.csv', {})
for p in problems[:15]:
    print('BAD %s: %s' % (path, p))
EOF
xlsx_check() { # xlsx_check DIR KIND
    local o
    o=$(python3 "$T/xlsx.py" "$T/$1/report.xlsx" "$2" "$T/$1" 2>&1)
    if [ -z "$o" ]; then ok; else bad "$1: $o"; fi
}
xlsx_check zh run
xlsx_check cmp compare
xlsx_check sw sweep
xlsx_check cal calibrate
xlsx_check sens sensitivity
xlsx_check long long
if grep -q '<h1>Стратегия one · Стратегия two</h1>' "$T/long/report.html"; then ok; else bad "long: the Russian titles are not the page's <h1>"; fi

# Empty and NaN cells: "—" on the page, no cell in the workbook, never "nan".
cp -r "$T/zh" "$T/nan"
rm -f "$T/nan/report.html" "$T/nan/report.xlsx"
awk -F, 'BEGIN { OFS = "," } $1 == "premium_per_case" { $2 = ""; $4 = "nan" } { print }' \
    "$T/zh/summary.csv" >"$T/nan/summary.csv"
run_k 0 report "$T/nan" --xlsx
if grep -q 'Premium per case</th><td class="n">—</td><td class="n band">— – ' "$T/nan/report.html"; then ok
else bad "nan: an empty or NaN figure is not shown as —: $(grep -o 'Premium per case</th>.\{0,120\}' "$T/nan/report.html")"; fi
xlsx_check nan nan

# LibreOffice opens each workbook (converted headless to PDF, which has
# pages).  Skipped where LibreOffice is not installed (make test installs
# libreoffice-calc-nogui).
SOFFICE=
for c in soffice libreoffice localc; do
    if command -v "$c" >/dev/null 2>&1; then SOFFICE=$c; break; fi
done
if [ -z "$SOFFICE" ]; then
    skip "LibreOffice is not installed: the workbooks are not opened"
else
    mkdir -p "$T/lo"
    for d in zh cmp sw long cal sens; do cp "$T/$d/report.xlsx" "$T/lo/$d.xlsx"; done
    HOME="$T/lohome" timeout 300 "$SOFFICE" --headless --norestore --convert-to pdf \
        --outdir "$T/lo" "$T/lo/zh.xlsx" "$T/lo/cmp.xlsx" "$T/lo/sw.xlsx" "$T/lo/long.xlsx" "$T/lo/cal.xlsx" "$T/lo/sens.xlsx" \
        >"$T/lo/out" 2>&1
    for d in zh cmp sw long cal sens; do
        if command -v pdfinfo >/dev/null 2>&1; then
            pages=$(pdfinfo "$T/lo/$d.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
        else
            pages=$([ -s "$T/lo/$d.pdf" ] && echo 1)
        fi
        if [ "${pages:-0}" -ge 1 ]; then ok; else bad "$d: LibreOffice did not convert report.xlsx: $(tail -c 400 "$T/lo/out")"; fi
    done
fi
