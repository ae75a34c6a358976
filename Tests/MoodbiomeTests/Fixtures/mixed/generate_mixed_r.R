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
# 0.12355 where the profile crosses at 0.12198). So the exact ends are also
# computed independently here, for every model whose random terms are all
# scalar: the ML deviance
#   log|ΛᵀZᵀZΛ + I| + r²/σ² + n·log(2πσ²)
# from dense matrices (r² by QR of the augmented least-squares system),
# minimised over the other parameters by Nelder–Mead (reltol 1e-14) from
# several starts — the fit's values, every other variance at 0 and at 1 —
# and restarted from the best until it stops improving, and each end found
# by uniroot (tol 1e-12) — mixed-profile-exact.csv (case, index, low, high;
# index as in mixed-profile.csv). A lower end the profile never reaches is 0.
exact_ends <- function(name, formula, data) {
  fit <- lmer(formula, data = data, REML = FALSE, control = control)
  X <- getME(fit, "X"); Z <- as.matrix(getME(fit, "Z")); y <- getME(fit, "y"); n <- length(y); Lind <- getME(fit, "Lind")
  q <- ncol(Z); p <- ncol(X)
  pieces <- function(theta) {
    ZL <- sweep(Z, 2, theta[Lind], "*")
    A <- rbind(cbind(ZL, X), cbind(diag(q), matrix(0, q, p))); b <- c(y, rep(0, q))
    c(as.numeric(determinant(crossprod(ZL) + diag(q), logarithm = TRUE)$modulus), sum(qr.resid(qr(A), b)^2))
  }
  dev <- function(theta, sigma) { v <- pieces(theta); v[1] + v[2] / sigma^2 + n * log(2 * pi * sigma^2) }
  profiled <- function(theta) { v <- pieces(theta); v[1] + n * (1 + log(2 * pi * v[2] / n)) }   # sigma profiled out
  minimise <- function(f, starts) {
    if (length(starts[[1]]) == 1) {
      return(optimize(f, c(min(unlist(starts)) - 5, max(unlist(starts)) + 5), tol = 1e-13)$objective)
    }
    best <- NULL
    for (s0 in starts) {
      r <- optim(s0, f, method = "Nelder-Mead", control = list(reltol = 1e-14, maxit = 50000))
      if (is.null(best) || r$value < best$value) best <- r
    }
    repeat {
      r <- optim(best$par, f, method = "Nelder-Mead", control = list(reltol = 1e-14, maxit = 50000))
      if (!(best$value - r$value > 1e-11)) break
      best <- r
    }
    best$value
  }
  th <- getME(fit, "theta"); s <- sigma(fit); k <- length(th)
  # The ML minimum: lme4's, or lower if the dense search finds lower.
  dmin <- min(deviance(fit), minimise(function(t) profiled(abs(t)), list(th, rep(0, k), rep(1, k))))
  cut <- dmin + qchisq(0.95, 1)
  offset <- function(j, psi) {   # j in 1..k: the terms' SDs; k + 1: sigma
    if (j == k + 1) {
      return(minimise(function(t) dev(abs(t), psi), list(th, rep(0, k), rep(1, k))) - cut)
    }
    f <- function(v) { t <- numeric(k); t[j] <- psi / exp(v[1]); t[-j] <- abs(v[-1]); dev(t, exp(v[1])) }
    minimise(f, list(c(log(s), th[-j]), c(log(s), rep(0, k - 1)), c(log(s), rep(1, k - 1)))) - cut
  }
  estimates <- c(th * s, s)
  ends <- lapply(seq_len(k + 1), function(j) {
    e <- estimates[j]
    low <- 0
    if (e > 1e-6) {
      inside <- e; outside <- e / 2
      while (offset(j, outside) < 0 && outside > 1e-8 * e) { inside <- outside; outside <- outside / 4 }
      if (offset(j, outside) >= 0) low <- uniroot(function(v) offset(j, v), c(outside, inside), tol = 1e-12)$root
    }
    inside <- max(e, 1e-8 * s); outside <- inside * 1.5 + 1e-8
    while (offset(j, outside) < 0) { inside <- outside; outside <- outside * 2 }
    high <- uniroot(function(v) offset(j, v), c(inside, outside), tol = 1e-12)$root
    data.frame(case = name, index = j, low = f17(low), high = f17(high))
  })
  do.call(rbind, ends)
}
exact <- do.call(rbind, lapply(Filter(function(k) k[[1]] %in% c("long_intercept", "long_uncorrelated", "long_nested", "long_crossed", "twins_phenotype", "twins_obese_ml"), cases),
                               function(k) exact_ends(k[[1]], k[[2]], k[[3]])))
write.csv(exact, file.path(here, "mixed-profile-exact.csv"), row.names = FALSE, quote = FALSE)
