# compare-kpis.gp - the four indicators of K3 for the scenarios of a
# `kpisim compare`: for each of headcount, activity rate, cases per active
# agent and premium per case, every scenario's paired difference from the
# first one (the baseline), in per cent of the baseline's mean, with the
# probability that it is higher.  The compare's counterpart of kpis.gp: one
# look says which of the four KPIs each scenario (a management lever, the
# lesson K4/K5 of docs/training.md) moves, and which way.
#
#   gnuplot -c plots/compare-kpis.gp COMPARE_DIR OUT_FILE
#
# The numbers are the rows of COMPARE_DIR/comparison.csv for the horizon
# figures mean_headcount, mean_activity_rate, cases_per_active and
# premium_per_case: a bar from diff_p05 to diff_p95 (90% of the
# replications, paired on common random numbers), a dot at diff_mean, and
# at the right P(higher) = p_higher ("=" when the scenario never differs
# from the baseline).  Each is divided by the baseline's mean.
kpi_script = "compare-kpis.gp"
if (ARGC < 2) {
    print "usage: gnuplot -c compare-kpis.gp COMPARE_DIR OUT_FILE"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"

figs = "mean_headcount mean_activity_rate cases_per_active premium_per_case"
array ptitle[4]
ptitle[1] = "Headcount (mean over the months)"
ptitle[2] = "Activity rate: % of agents with a case"
ptitle[3] = "Cases per active agent"
ptitle[4] = "Premium per case"

cmp = kpi_dir . "/comparison.csv"
kpi_file = cmp
kpi_want = "kind name scenario mean diff_mean diff_p05 diff_p95 p_higher"
@kpi_require

# The scenarios in comparison.csv's order, from the first figure's rows.
names = ""
stats cmp using ((strcol("kind") eq "figure" && strcol("name") eq word(figs, 1)) ? \
    (names = names . strcol("scenario") . " ", 0) : 0) nooutput
n = words(names)
if (n == 0) {
    print kpi_fail(sprintf("%s: no figure \"%s\"", cmp, word(figs, 1)))
    exit status 1
}

# Per figure: the baseline's mean and each scenario's difference, as words.
array base[4]
array d_mean[4]
array d_p05[4]
array d_p95[4]
array p_hi[4]
do for [i = 1:4] {
    f = word(figs, i)
    d_mean[i] = ""
    d_p05[i] = ""
    d_p95[i] = ""
    p_hi[i] = ""
    base[i] = NaN
    stats cmp using ((strcol("kind") eq "figure" && strcol("name") eq f) ? \
        (base[i] = (base[i] == base[i]) ? base[i] : column("mean"), \
         d_mean[i] = d_mean[i] . sprintf("%.17g ", column("diff_mean")), \
         d_p05[i] = d_p05[i] . sprintf("%.17g ", column("diff_p05")), \
         d_p95[i] = d_p95[i] . sprintf("%.17g ", column("diff_p95")), \
         p_hi[i] = p_hi[i] . sprintf("%.17g ", column("p_higher")), 0) : 0) nooutput
    if (words(d_mean[i]) != n) {
        print kpi_fail(sprintf("%s: figure \"%s\" has %d scenarios, \"%s\" %d", cmp, f, \
            words(d_mean[i]), word(figs, 1), n))
        exit status 1
    }
}

kpi_cut(s, w) = strlen(s) <= w ? s : s[1:w - 1] . "…"
dv(s, j) = word(s, j) + 0.0
# In per cent of the baseline's mean (0 when that mean is 0: no scale).
pc(v, b) = b != 0 ? 100.0 * v / abs(b) : 0
p_text(s, j) = dv(s, j) == dv(s, j) ? sprintf("%.0f%%", 100 * dv(s, j)) : "="

head = sprintf("What each scenario moves, against %s", kpi_cut(word(names, 1), 40))
reps = kpi_yaml(kpi_dir . "/" . word(names, 1) . "/scenario.yaml", "replications")
@kpi_open
set multiplot
set label 1 head at screen 0.5, screen 0.955 center font kpi_title_font_for(head) textcolor rgb kpi_ink
set label 2 "Each scenario's difference from the first, % of the first's mean: bar, 90% of the replications; dot, the mean; right, P(higher)" \
    at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
set label 3 sprintf("kpisim  %s%s", reps ne "" ? kpi_reps(reps) . "common random numbers, " : "", \
    kpi_basename(kpi_dir)) at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"
unset key
set datafile nocolumnheaders
set border 1
set grid xtics noytics
set ytics scale 0
set yrange [0.4:(n > 1 ? n - 0.4 : 1.6)]

do for [i = 1:4] {
    col = (i - 1) % 2
    row = (i - 1) / 2
    set lmargin at screen 0.17 + col * 0.43
    set rmargin at screen 0.17 + col * 0.43 + 0.30
    set tmargin at screen 0.83 - row * 0.41
    set bmargin at screen 0.83 - row * 0.41 - 0.28
    set title ptitle[i] font kpi_font . ",15" textcolor rgb kpi_ink offset 0, -0.3
    dlo = 0
    dhi = 0
    set print $D
    do for [j = 2:n] {
        a = pc(dv(d_p05[i], j), base[i])
        b = pc(dv(d_p95[i], j), base[i])
        dlo = a < dlo ? a : dlo
        dhi = b > dhi ? b : dhi
        print sprintf("%d,%s,%.17g,%.17g,%.17g,%s", n + 1 - j, \
            col == 0 ? kpi_cut(word(names, j), 18) : "", pc(dv(d_mean[i], j), base[i]), a, b, \
            p_text(p_hi[i], j))
    }
    unset print
    dpad = (dhi - dlo) > 0 ? (dhi - dlo) * 0.10 : 1
    dstep = kpi_nice((dhi - dlo + 2 * dpad) / 6.0)
    set xrange [dlo - dpad:dhi + dpad]
    set xtics dstep
    set format x sprintf("%%+.%df%%%%", kpi_decimals(dstep))
    set xlabel (row == 1 ? "difference, % of the baseline's mean" : "") textcolor rgb kpi_ink
    set arrow 1 from first 0, graph 0 to first 0, graph 1 nohead linewidth 1.5 linecolor rgb kpi_ink
    set y2range [0.4:(n > 1 ? n - 0.4 : 1.6)]
    set y2tics scale 0 font kpi_font . ",11" textcolor rgb kpi_grey
    set label 6 "P(higher)" at graph 1.02, graph 1.04 left font kpi_font . ",11" textcolor rgb kpi_grey
    if (n == 1) {
        set label 5 "one scenario: nothing to compare" at graph 0.5, graph 0.5 center
        plot NaN notitle
        unset label 5
    } else {
        plot for [j = 2:n] $D every ::(j - 2)::(j - 2) \
                 using (($4 + $5) / 2):1:(($5 - $4) / 2):(0.18):ytic(2) with boxxyerror \
                 fillcolor rgb kpi_col(j) fillstyle solid 0.55 border rgb kpi_col(j), \
             $D using 3:1 with points pointtype 7 pointsize 1.6 linecolor rgb kpi_ink, \
             $D using 3:1:y2tic(6) axes x1y2 with points pointtype -1 notitle
    }
    # The chart's title, subtitle and footer are drawn once, with the first panel.
    unset label 1
    unset label 2
    unset label 3
}
unset multiplot
