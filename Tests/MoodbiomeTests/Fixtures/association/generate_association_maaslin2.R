# Reference values for `moodbiome associate` from MaAsLin2's own R code.
#
# MaAsLin2 cannot be installed from Debian (chemometrics, cplm and biglm are
# not packaged), so its R sources are run directly: biobakery/Maaslin2 at
# commit 02ba513 (DESCRIPTION Version 1.15.1), files R/Maaslin2.R, R/fit.R,
# R/utility_scripts.R and R/viz.R, sourced into R 4.2.2 with vegan 2.6-4,
# dplyr, pbapply, lmerTest, car, logging, optparse, data.table from Debian.
# The LM path with TSS/NONE normalisation and LOG/AST/LOGIT/NONE transforms
# uses no missing package; CSS and TMM call metagenomeSeq and edgeR (Debian
# r-bioc-metagenomeseq, r-bioc-edger). CLR (chemometrics::clr) is computed here as its
# documented definition, log(x) - rowMeans(log(x)) of x + 1.
#
#   git -C <Maaslin2 clone> show 02ba513:R/<file> > $MAASLIN/<file>   (for the four files)
#   MAASLIN=/path/to/those/files Rscript Tests/MoodbiomeTests/Fixtures/association/generate_association_maaslin2.R
#
# MaAsLin2 is given the samples with every formula variable present (the
# samples Moodbiome uses), so filtering, normalisation and standardisation
# see the same samples. Outcome mode (not a MaAsLin2 feature) is R's lm on
# data prepared with MaAsLin2's own TSSnorm and LOG.
#
# Writes association-maaslin2.csv: case, feature, term, estimate, std_error,
# p_value, q_value, n, n_nonzero (term as Moodbiome names it: numeric
# variables by name, levels as variable[T.level]).
suppressMessages({
  dir <- Sys.getenv("MAASLIN")
  for (f in c("utility_scripts.R", "fit.R", "viz.R", "Maaslin2.R")) source(file.path(dir, f))
})
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
logging::setLevel("ERROR")

study_counts <- read.csv("Datasets/simulated-gut-mood/counts.csv", row.names = 1, check.names = FALSE)
study_meta <- read.csv("Datasets/simulated-gut-mood/metadata.csv", row.names = 1)
twins_counts <- t(read.csv("Datasets/twins/Twins.csv", row.names = 1, check.names = FALSE))
twins_meta <- read.delim("Datasets/twins/metadata.tsv", row.names = 1, comment.char = "#")

term_name <- function(metadata, value) ifelse(metadata == value, metadata, paste0(metadata, "[T.", value, "]"))

run <- function(case, counts, meta, effects, reference = NULL, ...) {
  meta <- meta[complete.cases(meta[, effects, drop = FALSE]), effects, drop = FALSE]
  counts <- counts[rownames(meta), , drop = FALSE]
  out <- file.path(tempdir(), case)
  fit <- Maaslin2(as.data.frame(counts), meta, out, fixed_effects = effects, reference = reference,
                  plot_heatmap = FALSE, plot_scatter = FALSE, ...)
  r <- fit$results
  data.frame(case = case, feature = r$feature, term = term_name(r$metadata, r$value),
             estimate = sprintf("%.17g", r$coef), std_error = sprintf("%.17g", r$stderr),
             p_value = sprintf("%.17g", r$pval), q_value = sprintf("%.17g", r$qval), n = r$N, n_nonzero = r$N.not.zero)
}

effects <- c("phq9_total", "age", "sex", "bmi", "antidepressant")
refs <- c("sex,female", "antidepressant,no")
rows <- list(
  run("study_default", study_counts, study_meta, effects, refs),
  run("study_prevalence", study_counts, study_meta, effects, refs, min_prevalence = 0.3, min_abundance = 5),
  run("study_ast", study_counts, study_meta, c("phq9_total", "antidepressant"), "antidepressant,no", transform = "AST"),
  run("study_logit", study_counts, study_meta, c("phq9_total", "antidepressant"), "antidepressant,no", transform = "LOGIT"),
  run("study_none_nostd", study_counts, study_meta, c("phq9_total", "sex"), "sex,female", normalization = "NONE",
      transform = "NONE", standardize = FALSE),
  run("twins_phenotype", twins_counts, twins_meta, c("phenotype"), "phenotype,Lean")
)

# CLR (chemometrics::clr by its definition) with no transform, through MaAsLin2's fit.
CLRnorm <- function(features) {
  x <- as.matrix(features) + 1
  as.data.frame(log(x) - rowMeans(log(x)))
}
rows[[length(rows) + 1]] <- run("study_clr", study_counts, study_meta, c("phq9_total", "antidepressant"), "antidepressant,no",
                                normalization = "CLR", transform = "NONE")

# CSS (metagenomeSeq 1.40.0) and TMM (edgeR 3.40.2), both from Debian (r-bioc-metagenomeseq,
# r-bioc-edger), through MaAsLin2's own CSSnorm/TMMnorm and its default LOG transform.
for (norm in c("CSS", "TMM")) {
  rows[[length(rows) + 1]] <- run(paste0("study_", tolower(norm)), study_counts, study_meta, c("phq9_total", "antidepressant"),
                                  "antidepressant,no", normalization = norm)
  rows[[length(rows) + 1]] <- run(paste0("twins_", tolower(norm)), twins_counts, twins_meta, c("phenotype"), "phenotype,Lean",
                                  normalization = norm)
}

# Outcome mode: phq9_total ~ LOG(TSS(feature)) + covariates, per feature, by lm.
meta <- study_meta[complete.cases(study_meta[, effects]), effects]
counts <- study_counts[rownames(meta), ]
kept <- counts[, colSums(counts > 0) > nrow(counts) * 0.1]
kept <- kept[, apply(kept, 2, var) > 0]
x <- transformFeatures(TSSnorm(kept), "LOG")
outcome <- do.call(rbind, lapply(colnames(x), function(f) {
  d <- data.frame(meta, taxon = x[, f])
  d$sex <- relevel(factor(d$sex), "female"); d$antidepressant <- relevel(factor(d$antidepressant), "no")
  s <- summary(lm(phq9_total ~ taxon + age + sex + bmi + antidepressant, data = d))$coefficients["taxon", ]
  data.frame(case = "study_outcome", feature = f, term = f, estimate = s[1], std_error = s[2], p_value = s[4])
}))
outcome$q_value <- p.adjust(outcome$p_value, "BH")
outcome$n <- nrow(x)
outcome$n_nonzero <- colSums(kept > 0)[outcome$feature]
outcome <- outcome[order(outcome$q_value), ]
for (k in c("estimate", "std_error", "p_value", "q_value")) outcome[[k]] <- sprintf("%.17g", outcome[[k]])
rows[[length(rows) + 1]] <- outcome

write.csv(do.call(rbind, rows), file.path(here, "association-maaslin2.csv"), row.names = FALSE, quote = FALSE)
cat(R.version.string, "vegan", as.character(packageVersion("vegan")), "edgeR", as.character(packageVersion("edgeR")),
    "metagenomeSeq", as.character(packageVersion("metagenomeSeq")), "\n")
