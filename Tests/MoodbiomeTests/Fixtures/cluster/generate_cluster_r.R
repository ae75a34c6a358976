# Cluster-robust and robust-Wald references for `--cluster` and `--robust`.
# R 4.2.2 with sandwich 3.0-2 and lmtest 0.9-40 (Debian r-cran-sandwich,
# r-cran-lmtest), vegan 2.6-4 for Shannon. Run from the repository root:
#   Rscript Tests/MoodbiomeTests/Fixtures/cluster/generate_cluster_r.R
# Writes cluster-r.csv: case, term, estimate, std_error, statistic, p_value
# (coeftest with vcovCL(fit, cluster = ~subject), its default type HC1), and
# rows term = "wald_f" with statistic and p_value of waldtest(fit, vcov = …, test = "F")
# for the linear models.
suppressMessages({ library(sandwich); library(lmtest); library(vegan) })
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
twins <- t(read.csv("Datasets/twins/Twins.csv", row.names = 1, check.names = FALSE))
meta <- read.delim("Datasets/twins/metadata.tsv", row.names = 1, comment.char = "#")
meta$shannon <- diversity(twins, "shannon")[rownames(meta)]
meta$richness <- specnumber(twins)[rownames(meta)]
rows <- list()
add <- function(case, ct) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, term = rownames(ct), estimate = sprintf("%.17g", ct[, 1]),
                                          std_error = sprintf("%.17g", ct[, 2]), statistic = sprintf("%.17g", ct[, 3]),
                                          p_value = sprintf("%.17g", ct[, 4]))
}
addF <- function(case, fit, v) {
  w <- waldtest(fit, vcov = v, test = "F")
  rows[[length(rows) + 1]] <<- data.frame(case = case, term = "wald_f", estimate = "NA", std_error = "NA",
                                          statistic = sprintf("%.17g", w$F[2]), p_value = sprintf("%.17g", w$`Pr(>F)`[2]))
}
d <- meta[!is.na(meta$obese), ]
# Converged to full precision (the default epsilon 1e-8 leaves ~1e-8 in the SEs).
logit <- glm(obese ~ shannon + richness, data = d, family = binomial, control = glm.control(epsilon = 1e-15, maxit = 100))
add("twins_logit_cluster", coeftest(logit, vcov = vcovCL(logit, cluster = ~subject)))
d2 <- meta
d2$phenotype <- relevel(factor(d2$phenotype), "Lean")
ols <- lm(shannon ~ phenotype + richness, data = d2)
v <- vcovCL(ols, cluster = ~subject)
add("twins_ols_cluster", coeftest(ols, vcov = v))
addF("twins_ols_cluster", ols, v)
# The robust Wald F with HC3 on NIST Longley (the F the README and fit table name).
longley <- read.csv("Tests/MoodbiomeTests/Fixtures/nist/longley.csv")
fl <- lm(y ~ x1 + x2 + x3 + x4 + x5 + x6, data = longley)
addF("longley_hc3", fl, vcovHC(fl, type = "HC3"))
addF("longley_hc1", fl, vcovHC(fl, type = "HC1"))
write.csv(do.call(rbind, rows), file.path(here, "cluster-r.csv"), row.names = FALSE, quote = FALSE)
cat(R.version.string, "sandwich", as.character(packageVersion("sandwich")), "lmtest", as.character(packageVersion("lmtest")), "\n")
