# sensitivity.gp - the charts of a `kpisim sensitivity` directory, read from
# its sensitivity.csv (docs/sensitivity.md "Outputs"; docs/charts.md):
#
#   gnuplot -c plots/sensitivity.gp DIR OUT_FILE KIND [FIGURE]
#
# KIND is one of
#   tornado   one-at-a-time swings of FIGURE: a bar per key from the base to
#             the figure at the key's low end and at its high end, the keys
#             by swing, the largest on top;
#   morris    Morris's mu* (x) against sigma (y) of FIGURE, a point per key;
#   sobol     first-order and total Sobol indices of FIGURE with their
#             bootstrap intervals, a pair of bars per key;
#   decision  the probability that each strategy is best, with its interval;
#   flip      the share of points where the second strategy is best, by bins
#             of each key (low to high): a heat map of where the ranking flips.
# FIGURE is the figure column of sensitivity.csv (total_premium, or
# STRATEGY:total_premium in a study of strategies); not needed for decision
# and flip.  The rows are picked out with awk.
kpi_script = "sensitivity.gp"
if (ARGC < 3) {
    print "usage: gnuplot -c sensitivity.gp DIR OUT_FILE KIND [FIGURE]"
    exit status 1
}
kpi_dir = ARG1
kpi_out = ARG2
kind = ARG3
fig = ARGC >= 4 ? ARG4 : ""
kpi_here(p) = (kpi_s_ = strstrt(p, "/")) == 0 ? "" : p[1:kpi_s_] . kpi_here(p[kpi_s_ + 1:])
load kpi_here(ARG0) . "common.gpi"

kpi_file = kpi_dir . "/sensitivity.csv"
kpi_want = "figure key method index value lo hi"
@kpi_require

# awk over sensitivity.csv (keys and figures hold no commas or quotes:
# scenario key paths and figure names); prog is the awk program.
kpi_awk(prog) = "< awk -F, " . kpi_shq(prog) . " " . kpi_shq(kpi_file)
kpi_count(prog) = int(system("awk -F, " . kpi_shq(prog) . " " . kpi_shq(kpi_file)))
stitle = kpi_yaml(kpi_dir . "/sensitivity.yaml", "title")
dname = kpi_basename(kpi_dir)
set datafile nocolumnheaders
set label 2 sprintf("kpisim sensitivity, %s", dname) \
    at screen 0.99, screen 0.02 right font kpi_small_font textcolor rgb "#999999"
fsel = sprintf("$1 == \"%s\"", fig)

# The figure's name without STRATEGY:, for its label and unit.
bare = strstrt(fig, ":") > 0 ? fig[strstrt(fig, ":") + 1:] : fig
fsc = bare ne "" ? kpi_scale(bare) : 1

# Two lines under the heading: the study's title, then what the chart shows.
dfig = system("awk -F, '$3 == \"decision\" && $4 == \"p_best\" { print $1; exit }' " . kpi_shq(kpi_file))
what = kind eq "tornado" ? sprintf("%s: change from the base, each key at the low and at the high end of its range", fig) : \
       kind eq "morris" ? sprintf("%s: mu* (the size of a key's effect over its range) against sigma (interactions, curvature)", fig) : \
       kind eq "sobol" ? sprintf("%s: first-order index (the key alone) and total index (with its interactions), bootstrap intervals", fig) : \
       kind eq "decision" ? sprintf("the probability of the highest %s over the sampled uncertainty, with its interval", kpi_figure_label(dfig)) : \
       sprintf("by %d bins of each key's sampled values, low to high (50%%: either way)", \
               kpi_count("$3 == \"decision\" && $4 ~ /^share_bin/ { b = substr($4, 10) + 0; if (b > m) m = b } END { print m + 0 }"))
set label 1 (stitle ne "" ? stitle : dname) at screen 0.5, screen 0.905 center font kpi_sub_font textcolor rgb kpi_grey
set label 3 what at screen 0.5, screen 0.865 center font kpi_small_font textcolor rgb kpi_grey
set tmargin at screen 0.82

if (kind eq "tornado") {
    # rank,key,low,high; rank 1 (the largest swing) drawn on top.
    prog = fsel . " && $3 == \"oat\" { if ($4 == \"rank\") r[$2] = $5; " . \
           "if ($4 == \"swing_low\") lo[$2] = $5; if ($4 == \"swing_high\") hi[$2] = $5 } " . \
           "END { for (k in r) print r[k] \",\" k \",\" lo[k] \",\" hi[k] }"
    n = kpi_count(fsel . " && $3 == \"oat\" && $4 == \"rank\" { n++ } END { print n + 0 }")
    if (n < 1) { print kpi_fail("no one-at-a-time rows of " . fig); exit status kpi_skip_status }
    @kpi_open
    head = sprintf("What moves %s: one key at a time", kpi_figure_label(bare))
    set label 10 head at screen 0.5, screen 0.955 center font kpi_title_font_for(head) textcolor rgb kpi_ink
    set lmargin at screen 0.30
    set rmargin at screen 0.96
    set yrange [0.4:n + 0.6]
    set ytics scale 0
    set grid xtics lc rgb "#dddddd"
    unset grid
    set grid xtics
    set bmargin at screen 0.20
    set format x "%.1s%c"
    set xzeroaxis lt 1 lc rgb kpi_ink
    set xlabel sprintf("%s, change from the base", kpi_figure_label(bare)) textcolor rgb kpi_ink
    set key at screen 0.5, screen 0.04 center center horizontal maxrows 1 samplen 2
    plot kpi_awk(prog) using (0):(n + 1 - $1):((0 < $3 ? 0 : $3) * fsc):((0 < $3 ? $3 : 0) * fsc):\
             (n + 1 - $1):(n + 1 - $1 + 0.36):ytic(2) with boxxyerror \
             fillstyle solid 1.0 noborder linecolor rgb kpi_colour[1] title "key at its low end", \
         kpi_awk(prog) using (0):(n + 1 - $1):((0 < $4 ? 0 : $4) * fsc):((0 < $4 ? $4 : 0) * fsc):\
             (n + 1 - $1 - 0.36):(n + 1 - $1) with boxxyerror \
             fillstyle solid 1.0 noborder linecolor rgb kpi_colour[2] title "key at its high end"
    exit
}

if (kind eq "morris") {
    prog = fsel . " && $3 == \"morris\" { if ($4 == \"mu_star\") m[$2] = $5; " . \
           "if ($4 == \"sigma\") s[$2] = $5 } END { for (k in m) print k \",\" m[k] \",\" s[k] }"
    n = kpi_count(fsel . " && $3 == \"morris\" && $4 == \"mu_star\" { n++ } END { print n + 0 }")
    if (n < 1) { print kpi_fail("no Morris rows of " . fig); exit status kpi_skip_status }
    @kpi_open
    head = sprintf("Screening %s: Morris elementary effects", kpi_figure_label(bare))
    set label 10 head at screen 0.5, screen 0.955 center font kpi_title_font_for(head) textcolor rgb kpi_ink
    set lmargin at screen 0.12
    set rmargin at screen 0.92
    set key at screen 0.5, screen 0.04 center center horizontal maxrows 1 samplen 3
    set format x "%.1s%c"
    set format y "%.1s%c"
    set xlabel "mu*, mean absolute elementary effect" textcolor rgb kpi_ink
    set ylabel "sigma" textcolor rgb kpi_ink
    # sigma = mu*: above it a key acts mostly through curvature or interactions
    # (Garcia Sanchez et al. 2014 read the ratio sigma / mu* so).
    stats kpi_awk(prog) using ($2 * fsc) nooutput
    xm = STATS_max > 0 ? STATS_max * 1.15 : 1
    stats kpi_awk(prog) using ($3 * fsc) nooutput
    ym = STATS_max > 0 ? STATS_max * 1.3 : xm
    set xrange [0:xm]
    set yrange [0:ym]
    set bmargin at screen 0.19
    set samples 2
    plot [0:xm] x with lines linewidth 4 dashtype 2 linecolor rgb kpi_band50 title "sigma = mu*", \
         kpi_awk(prog) using ($2 * fsc):($3 * fsc) with points pointtype 7 pointsize 2.5 \
             linecolor rgb kpi_colour[1], \
         kpi_awk(prog) using ($2 * fsc):($3 * fsc):1 with labels offset char 1, char 0.6 left \
             font kpi_font . ",11" textcolor rgb kpi_ink
    exit
}

if (kind eq "sobol") {
    # i,key,S1,S1lo,S1hi,ST,STlo,SThi in the keys' order of the file.
    prog = fsel . " && $3 == \"sobol\" && ($4 == \"S1\" || $4 == \"ST\") { " . \
           "if (!($2 in at)) { at[$2] = ++n; name[n] = $2 } " . \
           "v[$2, $4] = $5; l[$2, $4] = $6; h[$2, $4] = $7 } " . \
           "END { for (i = 1; i <= n; i++) { k = name[i]; " . \
           "print i \",\" k \",\" v[k, \"S1\"] \",\" l[k, \"S1\"] \",\" h[k, \"S1\"] \",\" " . \
           "v[k, \"ST\"] \",\" l[k, \"ST\"] \",\" h[k, \"ST\"] } }"
    n = kpi_count(fsel . " && $3 == \"sobol\" && $4 == \"ST\" { n++ } END { print n + 0 }")
    if (n < 1) { print kpi_fail("no Sobol rows of " . fig); exit status kpi_skip_status }
    @kpi_open
    head = sprintf("Where the variance of %s comes from: Sobol indices", kpi_figure_label(bare))
    set label 10 head at screen 0.5, screen 0.955 center font kpi_title_font_for(head) textcolor rgb kpi_ink
    set bmargin at screen 0.30
    set lmargin at screen 0.08
    set rmargin at screen 0.98
    set xrange [0.4:n + 0.6]
    set yrange [-0.05:*]
    set xtics rotate by 30 right scale 0 font kpi_font . ",11"
    set ylabel "share of the variance" textcolor rgb kpi_ink
    set xzeroaxis lt 1 lc rgb kpi_grey
    set key at screen 0.5, screen 0.04 center center horizontal maxrows 1 samplen 2
    plot kpi_awk(prog) using ($1 - 0.2):3:(0.38):xtic(2) with boxes fillstyle solid 1.0 noborder \
             linecolor rgb kpi_colour[1] title "first order S1", \
         kpi_awk(prog) using ($1 + 0.2):6:(0.38) with boxes fillstyle solid 1.0 noborder \
             linecolor rgb kpi_colour[2] title "total ST", \
         kpi_awk(prog) using ($1 - 0.2):3:4:5 with yerrorbars pointtype -1 linecolor rgb kpi_ink \
             linewidth 1.5 title "interval", \
         kpi_awk(prog) using ($1 + 0.2):6:7:8 with yerrorbars pointtype -1 linecolor rgb kpi_ink \
             linewidth 1.5
    exit
}

if (kind eq "decision") {
    prog = "$3 == \"decision\" && $4 == \"p_best\" { print ++n \",\" $2 \",\" $5 \",\" $6 \",\" $7 }"
    n = kpi_count("$3 == \"decision\" && $4 == \"p_best\" { n++ } END { print n + 0 }")
    if (n < 1) { print kpi_fail("no decision rows"); exit status kpi_skip_status }
    @kpi_open
    head = "Which strategy is best, over what we do not know"
    set label 10 head at screen 0.5, screen 0.955 center font kpi_title_font_for(head) textcolor rgb kpi_ink
    set xrange [0.4:n + 0.6]
    set yrange [0:105]
    set xtics scale 0
    set ylabel "probability of being best (%)" textcolor rgb kpi_ink
    plot kpi_awk(prog) using 1:($3 * 100):(0.6):xtic(2) with boxes fillstyle solid 1.0 noborder \
             linecolor rgb kpi_colour[1], \
         kpi_awk(prog) using 1:($3 * 100):($4 * 100):($5 * 100) with yerrorbars pointtype -1 \
             linecolor rgb kpi_ink linewidth 1.5, \
         kpi_awk(prog) using 1:($3 * 100 + 4):(sprintf("%.0f%%", $3 * 100)) with labels \
             font kpi_font . ",13" textcolor rgb kpi_ink
    exit
}

if (kind eq "flip") {
    # key index, bin, share; the keys in the file's order.
    prog = "$3 == \"decision\" && $4 ~ /^share_bin/ { if (!($2 in at)) { at[$2] = ++n; name[n] = $2 } " . \
           "b = substr($4, 10) + 0; print at[$2] \",\" b \",\" $5 \",\" $2 }"
    n = kpi_count("$3 == \"decision\" && $4 == \"flip_spread\" { n++ } END { print n + 0 }")
    nb = kpi_count("$3 == \"decision\" && $4 ~ /^share_bin/ { b = substr($4, 10) + 0; if (b > m) m = b } END { print m + 0 }")
    if (n < 1 || nb < 2) { print kpi_fail("no flip rows"); exit status kpi_skip_status }
    who = system("awk -F, '$3 == \"decision\" && $4 == \"p_best\" { if (++n == 2) { print $2; exit } }' " . kpi_shq(kpi_file))
    @kpi_open
    head = sprintf("Where the ranking flips: the share of points where %s is best", who)
    set label 10 head at screen 0.5, screen 0.955 center font kpi_title_font_for(head) textcolor rgb kpi_ink
    set lmargin at screen 0.30
    set rmargin at screen 0.86
    set xrange [0.5:nb + 0.5]
    set yrange [0.5:n + 0.5]
    set xtics 1 scale 0
    set ytics scale 0
    set xlabel "bin of the key's values (1: lowest)" textcolor rgb kpi_ink
    unset grid
    set border 0
    set palette defined (0 "#b2182b", 0.5 "#f7f7f7", 1 "#2166ac")
    set cbrange [0:100]
    set format cb "%.0f%%"
    set colorbox user origin screen 0.89, screen 0.15 size screen 0.02, screen 0.68
    unset key
    plot kpi_awk(prog) using 2:(n + 1 - $1):(0.5):(0.5):($3 * 100):ytic(4) with boxxyerror \
             fillstyle solid 1.0 border rgb "white" linecolor palette, \
         kpi_awk(prog) using 2:(n + 1 - $1):(sprintf("%.0f%%", $3 * 100)) with labels \
             font kpi_font . (n * nb > 80 ? ",9" : ",11") textcolor rgb kpi_ink
    exit
}

print kpi_fail(sprintf("unknown chart '%s' (tornado, morris, sobol, decision or flip)", kind))
exit status 1
