# Linear mixed model references for `regress`/`analyze` with random terms.
# R 4.2.2 with lme4 1.1-31, lmerTest 3.1-3, numDeriv 2016.8-1.1 (Debian
# r-cran-lme4, r-cran-lmertest) and vegan 2.6-4 for the Twins' Shannon.
# Run from the repository root:
#   Rscript Tests/MoodbiomeTests/Fixtures/mixed/generate_mixed_r.R
#
# The optimiser is tightened beyond lme4's defaults (minqa's BOBYQA with
# rhoend = 1e-12) so that the reference sits at the optimum to ~1e-9 in
# the REML criterion; with lme4's default nloptwrap tolerances (1e-8) the
# variance components move by ~1e-5 relative along the flat directions.
#
# Inputs:
# - longitudinal.csv: a simulated longitudinal cohort, made with Moodbiome
#     moodbiome simulate --participants 60 --visits 4 --seed 11 --out-dir sim
#     moodbiome analyze --counts sim/counts.csv --metadata sim/metadata.csv \
#       --outcome phq9_total --covariates months,age,sex,bmi,antidepressant \
#       --random "(1 | participant_id) + (1 | visit)" --metrics shannon --out-dir res
#   then res/merged.csv without phq9_band and with `site` = "S" followed by
#   (participant number mod 6) + 1 inserted before shannon (6 sites).
# - the bundled Twins data (Datasets/twins): Shannon (natural log) and
#   observed genera per sample; `subject` is the person, from the sample
#   names (TS1.2 → TS1, as the metadata's column gives it).
#
# Writes mixed-coefficients.csv (case, term, estimate, std_error, df,
# statistic, p_value: lmerTest's summary), mixed-varcorr.csv (case, group,
# term, term2, variance, sdcor: as.data.frame(VarCorr(fit))) and
# mixed-fit.csv (case, name, value: logLik, the REML criterion or deviance,
# AIC, BIC, sigma, nobs and theta).
suppressMessages({ library(lme4); library(lmerTest); library(vegan) })
here <- "Tests/MoodbiomeTests/Fixtures/mixed"
long <- read.csv(file.path(here, "longitudinal.csv"))
long$visit <- factor(long$visit)
twins <- t(read.csv("Datasets/twins/Twins.csv", row.names = 1, check.names = FALSE))
meta <- read.delim("Datasets/twins/metadata.tsv", row.names = 1, comment.char = "#")
meta$shannon <- diversity(twins, "shannon")[rownames(meta)]
meta$observed_features <- specnumber(twins)[rownames(meta)]

control <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 0.2, rhoend = 1e-12, maxfun = 1e6))
cases <- list(
  list("long_intercept", phq9_total ~ shannon + months + age + sex + bmi + antidepressant + (1 | participant_id), long, TRUE),
  list("long_slope_ml", phq9_total ~ shannon * months + (1 + months | participant_id), long, FALSE),
  list("long_uncorrelated", phq9_total ~ shannon + months + (months || participant_id), long, TRUE),
  list("long_nested", phq9_total ~ shannon + months + (1 | site/participant_id), long, TRUE),
  list("long_crossed", phq9_total ~ shannon + (1 | participant_id) + (1 | visit), long, TRUE),
  list("twins_phenotype", shannon ~ phenotype + (1 | subject), meta, TRUE),
  list("twins_obese_ml", observed_features ~ obese + (1 | subject), meta, FALSE)
)
f17 <- function(x) sprintf("%.17g", x)
coefs <- list(); vc <- list(); fits <- list()
for (k in cases) {
  fit <- lmer(k[[2]], data = k[[3]], REML = k[[4]], control = control)
  ct <- summary(fit)$coefficients
  coefs[[length(coefs) + 1]] <- data.frame(case = k[[1]], term = rownames(ct), estimate = f17(ct[, 1]),
    std_error = f17(ct[, 2]), df = f17(ct[, 3]), statistic = f17(ct[, 4]), p_value = f17(ct[, 5]))
  v <- as.data.frame(VarCorr(fit))
  vc[[length(vc) + 1]] <- data.frame(case = k[[1]], group = v$grp, term = ifelse(is.na(v$var1), "", v$var1),
    term2 = ifelse(is.na(v$var2), "", v$var2), variance = f17(v$vcov), sdcor = f17(v$sdcor))
  th <- getME(fit, "theta")
  fits[[length(fits) + 1]] <- data.frame(case = k[[1]],
    name = c("log_likelihood", if (k[[4]]) "reml_criterion" else "deviance", "aic", "bic", "sigma", "nobs", paste0("theta", seq_along(th))),
    value = f17(c(as.numeric(logLik(fit)), if (k[[4]]) REMLcrit(fit) else deviance(fit), AIC(fit), BIC(fit), sigma(fit), nobs(fit), th)))
}
write.csv(do.call(rbind, coefs), file.path(here, "mixed-coefficients.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, vc), file.path(here, "mixed-varcorr.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, fits), file.path(here, "mixed-fit.csv"), row.names = FALSE, quote = FALSE)
