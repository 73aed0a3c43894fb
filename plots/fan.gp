# fan.gp - a KPI of a run, month by month: the median and the bands that
# hold the middle 50% and 90% of the replications (a fan chart).
#
#   gnuplot -c plots/fan.gp RUN_DIR OUT_FILE [KPI]
#
# RUN_DIR is the output of `kpisim run` (or one scenario's folder of a
# compare); OUT_FILE ends in .png or .svg.  KPI is a KPI of monthly.csv
# (premium, headcount, cases, activity_rate, profit, ...; default premium):
# the chart reads its columns KPI_p05, _p25, _p50, _p75, _p95 and _mean by
# name.  The title is the scenario's, from RUN_DIR/scenario.yaml.
kpi_script = "fan.gp"
if (ARGC < 2) {
    print "usage: gnuplot -c fan.gp RUN_DIR OUT_FILE [KPI]"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
kpi = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "premium"
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"

kpi_file = kpi_dir . "/monthly.csv"
kpi_want = "month"
do for [q in "p05 p25 p50 p75 p95 mean"] { kpi_want = kpi_want . " " . kpi . "_" . q }
@kpi_require

sc = kpi_scale(kpi)
c05 = kpi . "_p05"; c25 = kpi . "_p25"; c50 = kpi . "_p50"
c75 = kpi . "_p75"; c95 = kpi . "_p95"; cmean = kpi . "_mean"
stats kpi_file using (column(c05) * sc) nooutput
lo = STATS_min
stats kpi_file using (column(c95) * sc) nooutput
hi = STATS_max
stats kpi_file using (column("month")) nooutput
m1 = STATS_min
m2 = STATS_max

@kpi_open
title = kpi_title_of(kpi_dir, kpi_basename(kpi_dir))
reps = kpi_yaml(kpi_dir . "/scenario.yaml", "replications")
set label 10 title at screen 0.5, screen 0.955 center font kpi_title_font_for(title) textcolor rgb kpi_ink
set label 1 kpi_label(kpi) . ": median and the bands holding 50% and 90% of the replications" \
    at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
set label 2 sprintf("kpisim  %s%s", kpi_reps(reps), kpi_basename(kpi_dir)) \
    at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"
set tmargin at screen 0.85
set bmargin at screen 0.19
set lmargin at screen 0.09
set rmargin at screen 0.97

set xlabel "Month" textcolor rgb kpi_ink
set ylabel kpi_label(kpi) textcolor rgb kpi_ink
@kpi_set_x
# Levels start at zero; shares run from 0 to 100%.
kpi_lo = kpi_is_share(kpi) ? 0 : lo
kpi_hi = kpi_is_share(kpi) ? 100 : hi
kpi_zero = 1
kpi_pct = kpi_is_share(kpi)
@kpi_set_y
sc = sc / kpi_yu
set key at screen 0.5, screen 0.04 center center horizontal maxrows 1 reverse Left samplen 2.5 width 1

if (kpi_is_short(m1, m2)) {
    # One or two months: each month a box (p25-p75) with whiskers (p05-p95),
    # a bar at the median and a dot at the mean.
    set style fill solid 1.0 border rgb kpi_median
    set label 1 kpi_label(kpi) . ": each month, the median (bar), 50% (box) and 90% (whiskers) of the replications"
    plot kpi_file using "month":(column(c50) * sc):(column(c05) * sc):(column(c95) * sc) \
             with yerrorbars linewidth 3 linecolor rgb kpi_median pointtype -1 \
             title "90% (p05-p95)", \
         kpi_file using "month":((column(c25) + column(c75)) / 2 * sc):(0.18):\
             ((column(c75) - column(c25)) / 2 * sc) with boxxyerror \
             fillcolor rgb kpi_band50 title "50% (p25-p75)", \
         kpi_file using "month":(column(c50) * sc):(0.18) with xerrorbars \
             linewidth 5 linecolor rgb kpi_median pointtype -1 title "median", \
         kpi_file using "month":(column(cmean) * sc) with points pointtype 7 pointsize 1.4 \
             linecolor rgb kpi_ink title "mean"
    exit
}
plot kpi_file using "month":(column(c05) * sc):(column(c95) * sc) with filledcurves \
         fillcolor rgb kpi_band90 fillstyle solid 1.0 noborder title "90% band (p05-p95)", \
     kpi_file using "month":(column(c25) * sc):(column(c75) * sc) with filledcurves \
         fillcolor rgb kpi_band50 fillstyle solid 1.0 noborder title "50% band (p25-p75)", \
     kpi_file using "month":(column(c50) * sc) with lines linewidth 3.5 linecolor rgb kpi_median \
         title "median", \
     kpi_file using "month":(column(cmean) * sc) with lines linewidth 1.5 dashtype 2 \
         linecolor rgb kpi_ink title "mean"
