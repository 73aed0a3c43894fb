# sweep.gp - a horizon figure over the grid of a `kpisim sweep`: a heat map
# over the first two swept keys, each cell coloured and labelled with the
# figure's mean; with one swept key, a line with its 90% band.
#
#   gnuplot -c plots/sweep.gp SWEEP_DIR OUT_FILE [FIGURE]
#
# FIGURE is a column of SWEEP_DIR/sweep.csv (default total_premium_mean; a
# bare figure name such as profit means profit_mean).  The swept keys are
# the columns before total_premium_mean, named by their key paths: the
# first is the x axis, the second the y axis.  With three keys or more the
# map shows the grid points whose other keys have their first value (said
# under the title).  Values are placed by rank (a cell per value, whatever
# their spacing), so listed values and text values (funnels, orphan
# policies) work too.
kpi_script = "sweep.gp"
if (ARGC < 2) {
    print "usage: gnuplot -c sweep.gp SWEEP_DIR OUT_FILE [FIGURE]"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
fig = (ARGC >= 3 && ARG3 ne "") ? ARG3 : "total_premium_mean"
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"

kpi_file = kpi_dir . "/sweep.csv"
kpi_want = "total_premium_mean"
@kpi_require
if (!kpi_has(kpi_hdr, fig) && kpi_has(kpi_hdr, fig . "_mean")) { fig = fig . "_mean" }
kpi_want = fig
@kpi_require
nkeys = words(kpi_hdr[1:strstrt(kpi_hdr, " total_premium_mean ")])
if (nkeys < 1) {
    print kpi_fail(kpi_file . ": no swept key before total_premium_mean")
    exit status 1
}
# The band of a _mean figure: its _p05 and _p95.
base = (strlen(fig) > 5 && fig[strlen(fig) - 4:strlen(fig)] eq "_mean") ? fig[1:strlen(fig) - 5] : fig
band = base ne fig && kpi_has(kpi_hdr, base . "_p05") && kpi_has(kpi_hdr, base . "_p95")
flabel = kpi_figure_label(base)
ismean = base ne fig
fsc = kpi_scale(base)

k1 = word(kpi_hdr, 1)
k2 = nkeys >= 2 ? word(kpi_hdr, 2) : ""
# Each key's distinct values in order of appearance ("v1 v2 ... "), and
# the first row's values of the keys after the second (the slice shown).
kpi_widx(list, v, i) = i > words(list) ? 0 : (word(list, i) eq v ? i : kpi_widx(list, v, i + 1))
kpi_add(list, v) = kpi_widx(list, v, 1) > 0 ? list : list . v . " "
kpi_firsts(j) = j > nkeys ? "" : strcol(word(kpi_hdr, j)) . " " . kpi_firsts(j + 1)
vals1 = ""
vals2 = ""
firsts = ""
numeric1 = 1
stats kpi_file using (vals1 = kpi_add(vals1, strcol(k1)), \
    vals2 = nkeys >= 2 ? kpi_add(vals2, strcol(k2)) : "", \
    numeric1 = numeric1 && valid(1), \
    firsts = (firsts eq "" && nkeys > 2) ? kpi_firsts(3) : firsts, 0) nooutput
# Whether the current row is in the slice (its keys after the second at their first value).
kpi_keep_from(j) = j > nkeys ? 1 : \
    (strcol(word(kpi_hdr, j)) eq word(firsts, j - 2) ? kpi_keep_from(j + 1) : 0)
kpi_keep(dummy) = nkeys <= 2 ? 1 : kpi_keep_from(3)
slice = ""
do for [j = 3:nkeys] {
    slice = slice . (j > 3 ? ", " : "") . word(kpi_hdr, j) . " = " . word(firsts, j - 2)
}
n1 = words(vals1)
n2 = words(vals2)

@kpi_open
# The chart says it is a sweep over its keys, in words ("Sweep over calls
# per day and client focus").  sweep.csv has no title: the scenario's
# title (from the scenario.yaml beside it: the sweep file's own, or the one
# it inherits from its base) goes on a line of its own below, and the keys
# as written in small print at the bottom.
dname = kpi_basename(kpi_dir)
l1 = kpi_key_label(k1)
l2 = nkeys >= 2 ? kpi_key_label(k2) : ""
head = nkeys >= 2 ? sprintf("Sweep over %s and %s", l1, l2) : sprintf("Sweep over %s", l1)
head = nkeys > 2 ? sprintf("%s (and %d more)", head, nkeys - 2) : head
stitle = kpi_title_of(kpi_dir, "")
keys = k1 . (nkeys >= 2 ? " x " . k2 : "")
set label 10 head at screen 0.5, screen 0.955 center font kpi_title_font_for(head) textcolor rgb kpi_ink
set label 2 sprintf("kpisim  %s, %s", keys, dname) \
    at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"
set tmargin at screen 0.84
set bmargin at screen 0.15

stats kpi_file using (kpi_keep(0) ? column(fig) * fsc : NaN) nooutput
vmin = STATS_min
vmax = STATS_max
# The colour scale's ticks: a nice step of its range, the decimals it needs.
cstep = vmax > vmin ? kpi_nice((vmax - vmin) / 5.0) : 1
set cbtics cstep
set format cb kpi_tick_format(abs(vmax) > abs(vmin) ? vmax : vmin, cstep) . (kpi_is_share(base) ? "%%" : "")

if (nkeys >= 2) {
    set label 1 sprintf("%s%s%s%s", stitle ne "" ? stitle . ": " : "", flabel, \
        ismean ? ", mean of the replications" : "", slice ne "" ? sprintf(" (%s)", slice) : "") \
        at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
    set lmargin at screen 0.14
    set rmargin at screen 0.84
    set xlabel l1 textcolor rgb kpi_ink
    set ylabel l2 textcolor rgb kpi_ink
    set xrange [0.5:n1 + 0.5]
    set yrange [0.5:n2 + 0.5]
    set xtics scale 0
    set ytics scale 0
    set xtics (word(vals1, 1) 1)
    set ytics (word(vals2, 1) 1)
    do for [i = 2:n1] { set xtics add (word(vals1, i) i) }
    do for [i = 2:n2] { set ytics add (word(vals2, i) i) }
    unset grid
    set border 0
    set palette defined (0 "#f7fbff", 0.25 "#c6dbef", 0.5 "#6baed6", 0.75 "#2171b5", 1 "#08306b")
    if (vmax > vmin) { set cbrange [vmin:vmax] } else { set cbrange [vmin - 1:vmax + 1] }
    set colorbox user origin screen 0.87, screen 0.15 size screen 0.02, screen 0.68
    unset key
    mid = vmin + 0.55 * (vmax - vmin)
    cell(v) = kpi_keep(0) ? v : NaN
    # Cells at most the size the text needs: labels inside when n1 x n2 is small enough.
    lsize = (n1 <= 12 && n2 <= 16) ? 1 : 0
    plot kpi_file using (cell(kpi_widx(vals1, strcol(k1), 1))):(kpi_widx(vals2, strcol(k2), 1)):\
             (0.5):(0.5):(column(fig) * fsc) with boxxyerror fillstyle solid 1.0 \
             border rgb "white" linecolor palette, \
         kpi_file using (lsize ? cell(kpi_widx(vals1, strcol(k1), 1)) : NaN):\
             (kpi_widx(vals2, strcol(k2), 1)):(kpi_num(column(fig) * fsc)):\
             (column(fig) * fsc > mid ? 0xffffff : 0x222222) with labels \
             textcolor rgb variable font kpi_font . (n1 * n2 > 80 ? ",10" : ",12")
} else {
    set label 1 sprintf("%s%s%s", stitle ne "" ? stitle . ": " : "", flabel, \
        band ? ", mean and 90% band of the replications" : "") \
        at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
    set lmargin at screen 0.10
    set rmargin at screen 0.96
    set bmargin at screen 0.19
    set xlabel l1 textcolor rgb kpi_ink
    set ylabel flabel textcolor rgb kpi_ink
    # A level from zero (a share from 0 to 100%), the band included.
    blo = vmin
    bhi = vmax
    if (band) {
        stats kpi_file using (column(base . "_p05") * fsc) nooutput
        blo = STATS_min
        stats kpi_file using (column(base . "_p95") * fsc) nooutput
        bhi = STATS_max
    }
    kpi_lo = kpi_is_share(base) ? 0 : blo
    kpi_hi = kpi_is_share(base) ? 100 : bhi
    kpi_zero = 1
    kpi_pct = kpi_is_share(base)
    @kpi_set_y
    fsc = fsc / kpi_yu
    set key at screen 0.5, screen 0.04 center center horizontal maxrows 1 reverse Left samplen 2.5 \
        width 3
    if (!numeric1) {
        set xrange [0.5:n1 + 0.5]
        set xtics (word(vals1, 1) 1)
        do for [i = 2:n1] { set xtics add (word(vals1, i) i) }
    }
    xof(dummy) = numeric1 ? column(k1) : kpi_widx(vals1, strcol(k1), 1)
    if (band) {
        plot kpi_file using (xof(0)):(column(base . "_p05") * fsc):(column(base . "_p95") * fsc) \
                 with filledcurves fillcolor rgb kpi_band90 fillstyle solid 1.0 noborder \
                 title "90% band (p05-p95)", \
             kpi_file using (xof(0)):(column(fig) * fsc) with linespoints linewidth 3.5 \
                 pointtype 7 pointsize 1.3 linecolor rgb kpi_median title "mean"
    } else {
        plot kpi_file using (xof(0)):(column(fig) * fsc) with linespoints linewidth 3.5 \
                 pointtype 7 pointsize 1.3 linecolor rgb kpi_median title fig
    }
}
