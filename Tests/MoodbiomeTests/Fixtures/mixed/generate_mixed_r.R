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
# AIC, BIC, sigma, nobs and theta) and, for the models whose random terms are
# all scalar, mixed-profile.csv (case, parameter, index, low, high: lme4's
# confint(fit, parm = "theta_", method = "profile") — the standard deviations
# in θ order, then sigma).
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
coefs <- list(); vc <- list(); fits <- list(); profiles <- list()
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
  # Profile intervals of the standard deviations (scalar random terms only).
  if (all(sapply(getME(fit, "cnms"), length) == 1)) {
    ci <- suppressWarnings(suppressMessages(confint(fit, parm = "theta_", method = "profile", oldNames = FALSE)))
    profiles[[length(profiles) + 1]] <- data.frame(case = k[[1]], parameter = rownames(ci), index = seq_len(nrow(ci)),
                                                   low = f17(ci[, 1]), high = f17(ci[, 2]))
  }
}
write.csv(do.call(rbind, profiles), file.path(here, "mixed-profile.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, coefs), file.path(here, "mixed-coefficients.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, vc), file.path(here, "mixed-varcorr.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, fits), file.path(here, "mixed-fit.csv"), row.names = FALSE, quote = FALSE)

# lme4 finds the profile ends by a spline through a grid of profile points,
# which near a boundary can be off by ~1% (long_uncorrelated's months SD:
# 0.12355 where the profile crosses at 0.12198). For that model the exact ends
# are also computed independently here: the ML deviance
#   log|ΛᵀZᵀZΛ + I| + r²/σ² + n·log(2πσ²)
# from dense matrices (r² by QR of the augmented least-squares system),
# minimised over the other parameters by Nelder–Mead (reltol 1e-14) at each
# value, and each end found by uniroot (tol 1e-12) — mixed-profile-exact.csv.
fit <- lmer(phq9_total ~ shannon + months + (months || participant_id), data = long, REML = FALSE, control = control)
X <- getME(fit, "X"); Z <- as.matrix(getME(fit, "Z")); y <- getME(fit, "y"); n <- length(y); Lind <- getME(fit, "Lind")
dev <- function(theta, sigma) {
  ZL <- sweep(Z, 2, theta[Lind], "*"); q <- ncol(Z); p <- ncol(X)
  A <- rbind(cbind(ZL, X), cbind(diag(q), matrix(0, q, p))); b <- c(y, rep(0, q))
  r2 <- sum(qr.resid(qr(A), b)^2)
  as.numeric(determinant(crossprod(ZL) + diag(q), logarithm = TRUE)$modulus) + r2 / sigma^2 + n * log(2 * pi * sigma^2)
}
cut <- deviance(fit) + qchisq(0.95, 1)
th <- getME(fit, "theta"); s <- sigma(fit)
offset <- function(k, psi) {   # k = 1, 2: the terms' SDs; 3: sigma
  if (k == 3) return(optim(th, function(t) dev(abs(t), psi), method = "Nelder-Mead", control = list(reltol = 1e-14, maxit = 20000))$value - cut)
  optim(c(log(s), th[-k]), function(v) { t <- numeric(2); t[k] <- psi / exp(v[1]); t[-k] <- abs(v[2]); dev(t, exp(v[1])) },
        method = "Nelder-Mead", control = list(reltol = 1e-14, maxit = 20000))$value - cut
}
estimates <- c(th * s, s)
exact <- do.call(rbind, lapply(1:3, function(k) data.frame(case = "long_uncorrelated", index = k,
  low = f17(uniroot(function(v) offset(k, v), c(estimates[k] / 3, estimates[k]), tol = 1e-12)$root),
  high = f17(uniroot(function(v) offset(k, v), c(estimates[k], estimates[k] * 3), tol = 1e-12)$root))))
write.csv(exact, file.path(here, "mixed-profile-exact.csv"), row.names = FALSE, quote = FALSE)
