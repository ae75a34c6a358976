# Reference values for Core/Analysis/CompositionalMediation: ccmm 1.0
# (Sohn & Li 2019; CRAN, pure R on MASS; installed from its source with
# `R CMD INSTALL` — the `cran/ccmm` mirror — on Debian's R 4.2.2).
#
#   ccmm-data.csv        id, tr, age, y, C1..C10: a simulated study of 150
#                        participants whose 10-part composition (closed, no
#                        zeros) carries part of tr's effect on y
#   ccmm-bootstrap.csv   the bootstrap row indices ccmm draws (set.seed(11),
#                        one line per resample, 1-based), so that Moodbiome can
#                        resample the same rows
#   ccmm-normal.csv      case, effect, estimate, variance: ccmm(method.est.cov =
#                        "normal", n.boot = 400) with and without the covariate
#   ccmm-sensitivity.csv case, rho, total_indirect: ccmm.sensitivity(rho, …), NA
#                        where ccmm stops (the correlation too strong)
#
# ccmm's normal method draws only the bootstrap of the composition model, so
# with the same rows every number is deterministic.
#
# Run: Rscript Tests/MoodbiomeTests/Fixtures/ccmm/generate_ccmm_r.R
suppressPackageStartupMessages(library(ccmm))
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
set.seed(20261205)
n <- 150; k <- 10
tr <- rbinom(n, 1, 0.5)
age <- round(rnorm(n, 45, 12))
a <- c(0.8, -0.5, 0.4, 0, 0, 0, 0, 0, 0, 0)
base <- log(c(30, 20, 15, 10, 8, 6, 5, 3, 2, 1))
logM <- t(sapply(1:n, function(i) base + a * tr[i] + 0.01 * (age[i] - 45) + rnorm(k, 0, 0.7)))
M <- exp(logM) / rowSums(exp(logM))
b <- c(1.5, -1, 0.5, 0, 0, 0, 0, 0, 0, -1)
y <- as.numeric(14 + 0.5 * tr + log(M) %*% b + 0.05 * age + rnorm(n, 0, 1.5))
d <- data.frame(id = sprintf("P%03d", 1:n), tr = tr, age = age, y = round(y, 6))
M <- round(M, 8); M <- M / rowSums(M)
colnames(M) <- paste0("C", 1:k)
write.csv(cbind(d, M), file.path(here, "ccmm-data.csv"), row.names = FALSE)
d <- read.csv(file.path(here, "ccmm-data.csv"))
M <- as.matrix(d[, paste0("C", 1:k)])
n.boot <- 400
set.seed(11)
idx <- t(sapply(1:n.boot, function(i) sample(1:n, n, replace = TRUE)))
write.table(idx, file.path(here, "ccmm-bootstrap.csv"), sep = ",", row.names = FALSE, col.names = FALSE)
rows <- list()
for (case in c("plain", "age")) {
  set.seed(11)
  r <- if (case == "plain") ccmm(d$y, M, d$tr, method.est.cov = "normal", n.boot = n.boot) else
    ccmm(d$y, M, d$tr, x = as.matrix(d$age), method.est.cov = "normal", n.boot = n.boot)
  rows[[length(rows) + 1]] <- data.frame(case = case, effect = c("direct", "total_indirect", paste0("indirect:C", 1:k)),
                                         estimate = c(r$DE, r$TIDE, r$IDEs), variance = c(r$Var.DE, r$Var.TIDE, r$Var.IDEs))
}
out <- do.call(rbind, rows)
write.csv(format(out, digits = 17), file.path(here, "ccmm-normal.csv"), row.names = FALSE, quote = FALSE)
sens <- list()
for (case in c("plain", "age")) {
  for (rho in c(-0.9, -0.5, -0.3, -0.1, 0, 0.1, 0.2, 0.3, 0.5, 0.9)) {
    v <- tryCatch(as.numeric(if (case == "plain") ccmm.sensitivity(rho, d$y, M, d$tr) else
                  ccmm.sensitivity(rho, d$y, M, d$tr, x = as.matrix(d$age))), error = function(e) NA)
    sens[[length(sens) + 1]] <- data.frame(case = case, rho = rho, total_indirect = v)
  }
}
write.csv(format(do.call(rbind, sens), digits = 17), file.path(here, "ccmm-sensitivity.csv"), row.names = FALSE, quote = FALSE)
cat("ccmm", as.character(packageVersion("ccmm")), "MASS", as.character(packageVersion("MASS")), R.version.string, "\n", file = stderr())
