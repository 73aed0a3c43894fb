# calibrate.gp - a calibration's fit: for each figure of the history, the
# observed months (points) over the fitted model's band (p05-p95, the
# median as a line), one panel per figure.
#
#   gnuplot -c plots/calibrate.gp FIT_DIR OUT_FILE
#
# FIT_DIR is the output of `kpisim calibrate` (fit-monthly.csv: month,
# figure, observed, mean, p05, p50, p95; fitted.yaml for the title).
kpi_script = "calibrate.gp"
if (ARGC < 2) {
    print "usage: gnuplot -c calibrate.gp FIT_DIR OUT_FILE"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"

kpi_file = kpi_dir . "/fit-monthly.csv"
kpi_want = "month figure observed mean p05 p50 p95"
@kpi_require

# The figures, in the order of the file (at most 9 panels).
figs = system("awk -F, 'NR > 1 && !seen[$2]++ { printf \"%s \", $2 }' " . kpi_shq(kpi_file))
nf = words(figs)
if (nf > 9) { nf = 9 }
cols = nf <= 1 ? 1 : (nf <= 4 ? 2 : 3)
rows = int((nf + cols - 1) / cols)

@kpi_open
name = kpi_yaml(kpi_dir . "/fitted.yaml", "name")
title = "Calibration: " . (name ne "" ? name : kpi_basename(kpi_dir))
set label 10 title at screen 0.5, screen 0.965 center font kpi_title_font_for(title) textcolor rgb kpi_ink
set label 1 "observed months (points) over the fitted model's 90% band and median" \
    at screen 0.5, screen 0.925 center font kpi_sub_font textcolor rgb kpi_grey
set label 2 sprintf("kpisim  %s", kpi_basename(kpi_dir)) \
    at screen 0.99, screen 0.015 right font kpi_small_font textcolor rgb "#999999"
set key off
set multiplot layout rows, cols margins 0.07, 0.98, 0.07, 0.84 spacing 0.07, 0.13
do for [i = 1:nf] {
    f = word(figs, i)
    sc = kpi_scale(f)
    set title f font kpi_sub_font textcolor rgb kpi_ink
    stats kpi_file using (strcol("figure") eq f ? column("p95") * sc : NaN) nooutput
    set format y kpi_axis_format(STATS_max) . (kpi_is_share(f) ? "%%" : "")
    set xrange [0.5:*]
    plot kpi_file using (strcol("figure") eq f ? column("month") : NaN):(column("p05") * sc):(column("p95") * sc) \
             with filledcurves fillcolor rgb kpi_band90 fillstyle solid 1.0 noborder, \
         kpi_file using (strcol("figure") eq f ? column("month") : NaN):(column("p50") * sc) \
             with lines linewidth 2.5 linecolor rgb kpi_median, \
         kpi_file using (strcol("figure") eq f ? column("month") : NaN):(column("observed") * sc) \
             with points pointtype 7 pointsize 0.8 linecolor rgb kpi_colour[6]
    unset label
}
unset multiplot
