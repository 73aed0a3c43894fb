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
short = kpi_is_short(m1, m2)

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
set label 2 (short ? "What premium is made of, month by month: the median (bar), 50% (box) and 90% (whiskers) of the replications" : \
    "What premium is made of, month by month: the median and the bands holding 50% and 90% of the replications") \
    at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
set label 3 sprintf("kpisim  %s%s", kpi_reps(reps), kpi_basename(kpi_dir)) \
    at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"
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
    @kpi_set_x
    kpi_lo = kpi_is_share(k) ? 0 : lo
    kpi_hi = kpi_is_share(k) ? 100 : hi
    kpi_zero = 1
    kpi_pct = kpi_is_share(k)
    @kpi_set_y
    sc = sc / kpi_yu
    set xlabel (row == 1 ? "Month" : "") textcolor rgb kpi_ink
    if (short) {
        set style fill solid 1.0 border rgb kpi_median
        plot kpi_file using "month":(column(k . "_p50") * sc):(column(k . "_p05") * sc):\
                 (column(k . "_p95") * sc) with yerrorbars linewidth 3 linecolor rgb kpi_median \
                 pointtype -1, \
             kpi_file using "month":((column(k . "_p25") + column(k . "_p75")) / 2 * sc):(0.18):\
                 ((column(k . "_p75") - column(k . "_p25")) / 2 * sc) with boxxyerror \
                 fillcolor rgb kpi_band50, \
             kpi_file using "month":(column(k . "_p50") * sc):(0.18) with xerrorbars \
                 linewidth 5 linecolor rgb kpi_median pointtype -1
    } else {
        plot kpi_file using "month":(column(k . "_p05") * sc):(column(k . "_p95") * sc) \
                 with filledcurves fillcolor rgb kpi_band90 fillstyle solid 1.0 noborder, \
             kpi_file using "month":(column(k . "_p25") * sc):(column(k . "_p75") * sc) \
                 with filledcurves fillcolor rgb kpi_band50 fillstyle solid 1.0 noborder, \
             kpi_file using "month":(column(k . "_p50") * sc) with lines linewidth 3 \
                 linecolor rgb kpi_median
    }
    unset label
}
unset multiplot
