# Reference values for `moodbiome associate --random` from MaAsLin2's own R
# code with random effects (its LM path with random_effects: lmerTest::lmer,
# REML, lme4's default optimiser; p-values by Satterthwaite's method).
# The same MaAsLin2 sources and R packages as generate_association_maaslin2.R
# (biobakery/Maaslin2 02ba513; R 4.2.2, lme4 1.1-31, lmerTest 3.1-3):
#
#   MAASLIN=/path/to/those/files Rscript Tests/MoodbiomeTests/Fixtures/association/generate_association_random_maaslin2.R
#
# Data: Datasets/simulated-longitudinal (150 participants × 4 visits), the
# samples with phq9_total present; fixed effects phq9_total and months, a
# random intercept per participant_id.
# Writes association-random-maaslin2.csv with the columns of
# association-maaslin2.csv.
suppressMessages({
  dir <- Sys.getenv("MAASLIN")
  for (f in c("utility_scripts.R", "fit.R", "viz.R", "Maaslin2.R")) source(file.path(dir, f))
})
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
logging::setLevel("ERROR")
counts <- read.csv("Datasets/simulated-longitudinal/counts.csv", row.names = 1, check.names = FALSE)
meta <- read.csv("Datasets/simulated-longitudinal/metadata.csv", row.names = 1)
meta <- meta[complete.cases(meta[, c("phq9_total", "months")]), c("phq9_total", "months", "participant_id")]
counts <- counts[rownames(meta), , drop = FALSE]
fit <- Maaslin2(counts, meta, file.path(tempdir(), "random"), fixed_effects = c("phq9_total", "months"),
                random_effects = c("participant_id"), plot_heatmap = FALSE, plot_scatter = FALSE)
r <- fit$results
out <- data.frame(case = "longitudinal_random", feature = r$feature, term = r$metadata,
                  estimate = sprintf("%.17g", r$coef), std_error = sprintf("%.17g", r$stderr),
                  p_value = sprintf("%.17g", r$pval), q_value = sprintf("%.17g", r$qval), n = r$N, n_nonzero = r$N.not.zero)
write.csv(out, file.path(here, "association-random-maaslin2.csv"), row.names = FALSE, quote = FALSE)
