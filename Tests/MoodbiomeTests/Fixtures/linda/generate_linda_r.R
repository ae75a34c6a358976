# Reference values for `moodbiome associate --method linda` from the R
# package LinDA 0.2.0 itself (github.com/zhouhj1994/LinDA af0f62f, GPL-2,
# installed with `R CMD INSTALL` from its source; run only to make these
# fixtures), on Debian 12's R 4.2.2 with r-cran-modeest 2.4.0,
# r-cran-lmertest 3.1-3, r-cran-lme4 1.1-31, r-cran-foreach:
#
#   Rscript Tests/MoodbiomeTests/Fixtures/linda/generate_linda_r.R
#
# from the repository root. Cases (data in Datasets/):
#   gutmood            simulated-gut-mood, ~ phq9_total + age + sex + antidepressant (adaptive zeros)
#   gutmood_filtered   the same, prev.cut 0.1, lib.cut 20000, winsor.quan 0.97
#   gutmood_imputation the same formula, imputation forced (adaptive = FALSE, imputation = TRUE)
#   gutmood_pseudo     ~ bmi + bristol_stool_type with pseudo.cnt 1, adaptive = FALSE
#   gutmood_proportion the example study's proportions (each count over its sample's total),
#                      ~ phq9_total + age + sex + antidepressant, type = "proportion"
#                      (each feature's zeros at half its smallest non-zero value)
#   globalpatterns     GlobalPatterns, ~ SampleType, prev.cut 0.6 (1,045 OTUs: LinDA forms the
#                      (features·p)² covariance of all fits, 29 GB at prev.cut 0.2)
#   twins              the twins, ~ phenotype, prev.cut 0.1
#   twins_mixed        the twins, ~ phenotype + (1 | subject), prev.cut 0.1 (two samples per subject)
#   longitudinal_mixed simulated-longitudinal, ~ phq9_total + months + (1 | participant_id), prev.cut 0.1
#   *_tight            the two mixed cases again with lme4's optimiser run to convergence
#                      (LinDA's lmer given lmerControl(optCtrl = list(ftol_abs = 1e-15,
#                      xtol_abs = 1e-12, ftol_rel = 0, xtol_rel = 0, maxeval = 1e5))): with
#                      its defaults lme4 stops ~1e-6 short of the REML optimum in θ, which
#                      moves Satterthwaite's df by up to ~2% where the likelihood is flat
# Writes linda-results.csv (case, feature, term, estimate = log2FoldChange,
# std_error = lfcSE, statistic = stat, p_value = pvalue, q_value = padj, df,
# base_mean = baseMean) and linda-details.csv (case, item, value: the bias
# of each design column, the zero treatment, n and the number of features).
# Factor terms are written as Moodbiome names them (`sex[T.male]` for R's
# `sexmale`); factor levels sort in the C locale.
suppressMessages({ library(LinDA); library(lmerTest) })
invisible(Sys.setlocale("LC_COLLATE", "C"))
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
f17 <- function(x) sprintf("%.17g", x)

rename <- function(terms, meta, formula) {
  out <- terms
  for (v in all.vars(as.formula(formula))) {
    if (is.character(meta[[v]]) || is.factor(meta[[v]])) {
      for (level in sort(unique(as.character(meta[[v]])))) {
        out[out == paste0(v, level)] <- sprintf("%s[T.%s]", v, level)
      }
    }
  }
  out
}

run <- function(case, otu, meta, formula, ...) {
  captured <- capture.output(fit <- linda(otu, meta, formula = formula, ...))
  args <- list(...)
  treatment <- if (identical(args$type, "proportion")) "half-minimum" else if (isFALSE(args$adaptive)) {
    if (isTRUE(args$imputation)) "imputation" else "pseudo-count"
  } else if (any(grepl("Imputation", captured))) "imputation" else "pseudo-count"
  rows <- do.call(rbind, lapply(fit$variables, function(v) {
    o <- fit$output[[v]]
    data.frame(case = case, feature = rownames(o), term = rename(v, meta, formula),
               estimate = f17(o$log2FoldChange), std_error = f17(o$lfcSE), statistic = f17(o$stat),
               p_value = f17(o$pvalue), q_value = f17(o$padj), df = f17(o$df), base_mean = f17(o$baseMean))
  }))
  columns <- c("Intercept", rename(fit$variables, meta, formula))
  details <- rbind(data.frame(case = case, item = paste0("bias:", columns), value = f17(fit$wald$bias)),
                   data.frame(case = case, item = c("zeros", "n", "features"),
                              value = c(treatment, ncol(fit$otu.tab.use), nrow(fit$otu.tab.use))))
  list(rows = rows, details = details)
}

gut.counts <- read.csv("Datasets/simulated-gut-mood/counts.csv", row.names = 1, check.names = FALSE)
gut.meta <- read.csv("Datasets/simulated-gut-mood/metadata.csv", row.names = 1, stringsAsFactors = FALSE)
gut.otu <- t(gut.counts[rownames(gut.meta), ])

gp.otu <- read.delim("Datasets/globalpatterns/feature-table.tsv", skip = 1, row.names = 1, check.names = FALSE)
gp.meta <- read.delim("Datasets/globalpatterns/metadata.tsv", row.names = 1, stringsAsFactors = FALSE)
gp.otu <- as.matrix(gp.otu[, rownames(gp.meta)])

tw.otu <- read.csv("Datasets/twins/Twins.csv", row.names = 1, check.names = FALSE)
tw.meta <- read.delim("Datasets/twins/metadata.tsv", row.names = 1, stringsAsFactors = FALSE)
tw.meta <- tw.meta[rownames(tw.meta) != "#q2:types", , drop = FALSE]
tw.otu <- as.matrix(tw.otu[, rownames(tw.meta)])

lo.counts <- read.csv("Datasets/simulated-longitudinal/counts.csv", row.names = 1, check.names = FALSE)
lo.meta <- read.csv("Datasets/simulated-longitudinal/metadata.csv", row.names = 1, stringsAsFactors = FALSE)
lo.otu <- t(lo.counts[rownames(lo.meta), ])

gut.formula <- "~ phq9_total + age + sex + antidepressant"
cases <- list(
  run("gutmood", gut.otu, gut.meta, gut.formula),
  run("gutmood_filtered", gut.otu, gut.meta, gut.formula, prev.cut = 0.1, lib.cut = 20000, winsor.quan = 0.97),
  run("gutmood_imputation", gut.otu, gut.meta, gut.formula, adaptive = FALSE, imputation = TRUE),
  run("gutmood_pseudo", gut.otu, gut.meta, "~ bmi + bristol_stool_type", adaptive = FALSE, pseudo.cnt = 1),
  run("gutmood_proportion", t(t(gut.otu) / colSums(gut.otu)), gut.meta, gut.formula, type = "proportion"),
  run("globalpatterns", gp.otu, gp.meta, "~ SampleType", prev.cut = 0.6),
  run("twins", tw.otu, tw.meta, "~ phenotype", prev.cut = 0.1),
  run("twins_mixed", tw.otu, tw.meta, "~ phenotype + (1 | subject)", prev.cut = 0.1),
  run("longitudinal_mixed", lo.otu, lo.meta, "~ phq9_total + months + (1 | participant_id)", prev.cut = 0.1)
)
# LinDA's own code, lme4 run to convergence: LinDA calls lmerTest's lmer,
# found in its imports; a wrapper there adds the control.
imports <- parent.env(asNamespace("LinDA"))
unlockBinding("lmer", imports)
tight <- lmerControl(optCtrl = list(ftol_abs = 1e-15, xtol_abs = 1e-12, ftol_rel = 0, xtol_rel = 0, maxeval = 1e5))
# do.call puts the objects in the call, which lmerTest re-evaluates.
assign("lmer", function(formula, data) do.call(lmerTest::lmer, list(formula = formula, data = data, control = tight)), envir = imports)
cases <- c(cases, list(
  run("twins_mixed_tight", tw.otu, tw.meta, "~ phenotype + (1 | subject)", prev.cut = 0.1),
  run("longitudinal_mixed_tight", lo.otu, lo.meta, "~ phq9_total + months + (1 | participant_id)", prev.cut = 0.1)
))
write.csv(do.call(rbind, lapply(cases, `[[`, "rows")), file.path(here, "linda-results.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, lapply(cases, `[[`, "details")), file.path(here, "linda-details.csv"), row.names = FALSE, quote = FALSE)
