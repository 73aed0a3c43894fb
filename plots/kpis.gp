# kpis.gp - the four indicators of K3 as one 2x2 panel, month by month:
# headcount, activity rate, cases per active agent and premium per case.
# Cases = headcount x activity rate x cases per active agent, and premium =
# cases x premium per case (docs/model.md "What a month reports"): the four
# panels are the four levers of premium.
#
#   gnuplot -c plots/kpis.gp RUN_DIR OUT_FILE
#
# Each panel is a small fan: the median and the bands holding 50% and 90%
# of the replications.  Columns are read from RUN_DIR/monthly.csv by name.
kpi_script = "kpis.gp"
if (ARGC < 2) {
    print "usage: gnuplot -c kpis.gp RUN_DIR OUT_FILE"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"

panels = "headcount activity_rate cases_per_active premium_per_case"
kpi_file = kpi_dir . "/monthly.csv"
kpi_want = "month"
do for [k in panels] {
    do for [q in "p05 p25 p50 p75 p95"] { kpi_want = kpi_want . " " . k . "_" . q }
}
@kpi_require

stats kpi_file using (column("month")) nooutput
m1 = STATS_min
m2 = STATS_max
xstep = m2 - m1 <= 24 ? 1 : (m2 - m1 <= 72 ? 6 : 12)
xstep = (xstep == 1 && m2 - m1 > 12) ? 2 : xstep

title = kpi_title_of(kpi_dir, kpi_basename(kpi_dir))
reps = kpi_yaml(kpi_dir . "/scenario.yaml", "replications")
array ptitle[4]
ptitle[1] = "Headcount: agents on the team"
ptitle[2] = "Activity rate: % of agents with a case"
ptitle[3] = "Cases per active agent"
ptitle[4] = "Premium per case"

@kpi_open
set multiplot
set label 1 title at screen 0.5, screen 0.955 center font kpi_title_font_for(title) textcolor rgb kpi_ink
set label 2 "The four levers of premium (K3): median, 50% and 90% bands of the replications, month by month" \
    at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
set label 3 sprintf("kpisim  %s%s", kpi_reps(reps), kpi_basename(kpi_dir)) \
    at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"
set xtics xstep
unset key

do for [i = 1:4] {
    k = word(panels, i)
    sc = kpi_scale(k)
    set autoscale xy
    stats kpi_file using (column(k . "_p05") * sc) nooutput
    lo = STATS_min
    stats kpi_file using (column(k . "_p95") * sc) nooutput
    hi = STATS_max
    # Panels: 1 2 on top, 3 4 below.
    col = (i - 1) % 2
    row = (i - 1) / 2
    set lmargin at screen 0.08 + col * 0.485
    set rmargin at screen 0.08 + col * 0.485 + 0.40
    set tmargin at screen 0.81 - row * 0.42
    set bmargin at screen 0.81 - row * 0.42 - 0.26
    set title ptitle[i] font kpi_font . ",15" textcolor rgb kpi_ink offset 0, -0.3
    if (m2 > m1) { set xrange [m1:m2] } else { set xrange [m1 - 0.5:m2 + 0.5] }
    if (kpi_is_share(k)) {
        set yrange [0:100]
    } else { if (hi > lo) {
        if (lo >= 0 && lo <= 0.4 * hi) { set yrange [0:*] } else { set autoscale y }
    } else {
        set yrange [lo - 1 - abs(lo) * 0.1:hi + 1 + abs(hi) * 0.1]
    } }
    if (!kpi_is_share(k) && hi > lo) { set ytics kpi_nice((hi - lo) / 5.0) } else { set ytics auto }
    set format y kpi_axis_format(hi) . (kpi_is_share(k) ? "%%" : "")
    set xlabel (row == 1 ? "Month" : "") textcolor rgb kpi_ink
    plot kpi_file using "month":(column(k . "_p05") * sc):(column(k . "_p95") * sc) \
             with filledcurves fillcolor rgb kpi_band90 fillstyle solid 1.0 noborder, \
         kpi_file using "month":(column(k . "_p25") * sc):(column(k . "_p75") * sc) \
             with filledcurves fillcolor rgb kpi_band50 fillstyle solid 1.0 noborder, \
         kpi_file using "month":(column(k . "_p50") * sc) with lines linewidth 3 \
             linecolor rgb kpi_median
    unset label
}
unset multiplot
