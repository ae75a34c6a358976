# Reference values for `associate --model negbin` (MaAsLin2's NEGBIN: one
# MASS::glm.nb per feature) on the example study, for the normalisations
# MaAsLin2 allows with NEGBIN: none, CSS and TMM (its own CSSnorm/TMMnorm from
# R/utility_scripts.R at biobakery/Maaslin2 commit 02ba513, with
# metagenomeSeq 1.40.0 and edgeR 3.40.2), no transform, phq9_total
# standardised (R's scale) as MaAsLin2 does, antidepressant with reference "no".
#
#   MAASLIN=<folder of MaAsLin2's R files> Rscript Tests/MoodbiomeTests/Fixtures/association/generate_negbin.R
#
# The features are MaAsLin2's kept set (present, > 0, in more than 10% of the
# samples; variance > 0). Each is fitted by MASS 7.3-58 glm.nb, then taken to
# full convergence by alternating MASS's own pieces — glm.fit with
# negative.binomial(theta) and theta.ml — at tight tolerances (glm.nb's loops
# stop early: theta.ml at steps below eps^(1/4)); the standard errors are
# summary.negbin's, (XᵀWX)⁻¹. Where glm.nb or that alternation warns
# that its iterations do not settle (strong overdispersion), the
# reference is instead the joint maximum of the likelihood found by optim's
# L-BFGS-B on β and log θ (analytic gradient, factr 1), with
# summary.negbin's standard errors (XᵀWX)⁻¹ there — method "optim" — or
# none where that stops at a bound of log θ or does not converge ("none"). MaAsLin2's own NEGBIN run returns glm.nb's unconverged values for
# those features (and, with CSS/TMM, Poisson fits its warning handler lets
# through), so it is not the reference there.
#
# Writes negbin-reference.csv: case, feature, term, estimate, std_error,
# p_value, theta, method (glm.nb, optim or none).
suppressMessages({
  library(MASS)
  dir <- Sys.getenv("MAASLIN")
  source(file.path(dir, "utility_scripts.R"))
})
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
counts <- read.csv("Datasets/simulated-gut-mood/counts.csv", row.names = 1, check.names = FALSE)
meta <- read.csv("Datasets/simulated-gut-mood/metadata.csv", row.names = 1)
meta <- meta[complete.cases(meta[, c("phq9_total", "antidepressant")]), ]
counts <- counts[rownames(meta), ]
kept <- counts[, colSums(counts > 0) > nrow(counts) * 0.1]
kept <- kept[, apply(kept, 2, var) > 0]
d0 <- data.frame(phq9_total = as.numeric(scale(meta$phq9_total)), antidepressant = relevel(factor(meta$antidepressant), "no"))
X <- model.matrix(~ phq9_total + antidepressant, d0)
terms <- c("phq9_total", "antidepressant[T.yes]")

fit_one <- function(y) {
  warned <- FALSE
  quietly <- function(expr) withCallingHandlers(expr, warning = function(w) {
    # dpois's "non-integer x" (the Poisson start's AIC on normalised values) is harmless.
    if (!grepl("non-integer", conditionMessage(w))) warned <<- TRUE
    invokeRestart("muffleWarning")
  })
  f <- quietly(tryCatch(glm.nb(y ~ phq9_total + antidepressant, data = cbind(d0, y = y)), error = function(e) NULL))
  if (!is.null(f) && !warned) {
    # glm.nb's own loops stop early (theta.ml at steps below eps^(1/4)); MASS's
    # pieces, glm.fit with negative.binomial(theta) and theta.ml, alternated
    # from its answer to tight tolerances give the maximum to ~1e-12.
    th <- f$theta; eta <- f$linear.predictors
    for (k in 1:500) {
      g <- quietly(glm.fit(X, y, family = negative.binomial(th), etastart = eta, control = glm.control(epsilon = 1e-14, maxit = 500)))
      next_th <- quietly(as.vector(theta.ml(y, g$fitted.values, limit = 500, eps = 1e-13)))
      eta <- g$linear.predictors
      done <- abs(next_th - th) < 1e-13 * th
      th <- next_th
      if (done) break
    }
    g <- quietly(glm.fit(X, y, family = negative.binomial(th), etastart = eta, control = glm.control(epsilon = 1e-14, maxit = 500)))
    if (!warned && done) {
      mu <- g$fitted.values
      se <- sqrt(diag(solve(crossprod(X, (mu / (1 + mu / th)) * X))))
      b <- g$coefficients; z <- b / se
      return(list(b = b[-1], se = se[-1], p = (2 * pnorm(-abs(z)))[-1], theta = th, method = "glm.nb"))
    }
  }
  # The joint maximum of the likelihood by L-BFGS-B on (beta, log theta),
  # log theta within [-12, 18], from glm.nb's answer (or a Poisson fit's),
  # with the analytic gradient; rows where it stops at a bound or does not
  # converge get no reference ("none").
  start <- if (is.null(f)) c(coef(glm(y ~ phq9_total + antidepressant, family = poisson, data = cbind(d0, y = y))), 0) else c(coef(f), log(f$theta))
  nll <- function(p) {
    th <- exp(p[4]); mu <- as.vector(exp(X %*% p[1:3]))
    -sum(lgamma(th + y) - lgamma(th) - lgamma(y + 1) + th * log(th) + y * log(mu + (y == 0)) - (th + y) * log(th + mu))
  }
  grad <- function(p) {
    th <- exp(p[4]); mu <- as.vector(exp(X %*% p[1:3]))
    gb <- crossprod(X, th * (y - mu) / (mu + th))
    gt <- sum(digamma(th + y) - digamma(th) + log(th) + 1 - log(th + mu) - (y + th) / (mu + th)) * th
    -c(gb, gt)
  }
  o <- optim(start, nll, grad, method = "L-BFGS-B", lower = c(-Inf, -Inf, -Inf, -12), upper = c(Inf, Inf, Inf, 18),
             control = list(factr = 1, pgtol = 0, maxit = 100000))
  if (o$convergence != 0 || o$par[4] <= -12 + 1e-6 || o$par[4] >= 18 - 1e-6)
    return(list(b = c(NA, NA), se = c(NA, NA), p = c(NA, NA), theta = NA, method = "none"))
  b <- o$par[1:3]; th <- exp(o$par[4]); mu <- as.vector(exp(X %*% b))
  v <- solve(crossprod(X, (mu / (1 + mu / th)) * X))
  se <- sqrt(diag(v)); z <- b / se
  list(b = b[-1], se = se[-1], p = (2 * pnorm(-abs(z)))[-1], theta = th, method = "optim")
}

rows <- list()
for (norm in c("NONE", "CSS", "TMM")) {
  x <- as.matrix(normalizeFeatures(kept, norm))
  for (feature in colnames(x)) {
    r <- fit_one(as.numeric(x[, feature]))
    rows[[length(rows) + 1]] <- data.frame(case = paste0("negbin_", tolower(norm)), feature = feature, term = terms,
      estimate = sprintf("%.17g", r$b), std_error = sprintf("%.17g", r$se), p_value = sprintf("%.17g", r$p),
      theta = sprintf("%.17g", r$theta), method = r$method)
  }
}
write.csv(do.call(rbind, rows), file.path(here, "negbin-reference.csv"), row.names = FALSE, quote = FALSE)
cat(R.version.string, "MASS", as.character(packageVersion("MASS")), "metagenomeSeq", as.character(packageVersion("metagenomeSeq")),
    "edgeR", as.character(packageVersion("edgeR")), "\n")
