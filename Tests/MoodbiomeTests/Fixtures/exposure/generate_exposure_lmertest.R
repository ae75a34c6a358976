# References for `analyze --exposure` with random terms: lmerTest's tests.
# R 4.2.2 with lme4 1.1-31, lmerTest 3.1-3 and vegan 2.6-4 (Debian
# r-cran-lme4, r-cran-lmertest, r-cran-vegan). Run from the repository root:
#   Rscript Tests/MoodbiomeTests/Fixtures/exposure/generate_exposure_lmertest.R
#
# Case twins_phenotype_subject: the twins (278 samples of 154 people), Shannon
# (vegan::diversity, natural log) ~ phenotype + (1 | subject), REML. The
# exposure test is anova(fit) (type III F, Satterthwaite's denominator df);
# each pair of levels is contest(fit, L, joint = FALSE) with L = e_a - e_b
# (Satterthwaite's df for that contrast), Holm within the metric.
# Writes exposure-lmertest.csv with the columns of exposure-r.csv.
suppressMessages({ library(vegan); library(lmerTest) })
here <- "Tests/MoodbiomeTests/Fixtures/exposure"
f17 <- function(x) sprintf("%.17g", x)
counts <- read.csv("Datasets/twins/Twins.csv", row.names = 1, check.names = FALSE)
meta <- read.delim("Datasets/twins/metadata.tsv", comment.char = "", stringsAsFactors = FALSE)[-1, ]
rownames(meta) <- meta[[1]]
meta$shannon <- diversity(t(counts), "shannon")[rownames(meta)]
meta$phenotype <- factor(meta$phenotype)
fit <- lmer(shannon ~ phenotype + (1 | subject), data = meta, REML = TRUE)
a <- anova(fit, type = "III", ddf = "Satterthwaite")
rows <- list(data.frame(case = "twins_phenotype_subject", kind = "test", level = "", versus = "", estimate = "NA", std_error = "NA",
                        statistic = f17(a$`F value`[1]), df1 = a$NumDF[1], df2 = f17(a$DenDF[1]), p_value = f17(a$`Pr(>F)`[1]), p_holm = "NA"))
levels <- levels(meta$phenotype); b <- fixef(fit)
pairs <- list()
for (j in seq_along(levels)) for (i in seq_along(levels)) if (i > j) {
  L <- setNames(rep(0, length(b)), names(b))
  if (j > 1) L[paste0("phenotype", levels[j])] <- -1
  if (i > 1) L[paste0("phenotype", levels[i])] <- 1
  ct <- contest(fit, L, joint = FALSE, ddf = "Satterthwaite")
  pairs[[length(pairs) + 1]] <- data.frame(level = levels[i], versus = levels[j], estimate = ct$Estimate, se = ct$`Std. Error`,
                                           t = ct$`t value`, df = ct$df, p = ct$`Pr(>|t|)`)
}
pairs <- do.call(rbind, pairs); pairs$holm <- p.adjust(pairs$p, "holm")
rows[[2]] <- data.frame(case = "twins_phenotype_subject", kind = "pair", level = pairs$level, versus = pairs$versus,
  estimate = f17(pairs$estimate), std_error = f17(pairs$se), statistic = f17(pairs$t), df1 = 1, df2 = f17(pairs$df),
  p_value = f17(pairs$p), p_holm = f17(pairs$holm))
write.csv(do.call(rbind, rows), file.path(here, "exposure-lmertest.csv"), row.names = FALSE, quote = FALSE)
cat("R", R.version.string, "lme4", as.character(packageVersion("lme4")), "lmerTest", as.character(packageVersion("lmerTest")), "\n")
