# References for `analyze --exposure` (diversity as the outcome).
# R 4.2.2 with vegan 2.6-4 (Shannon, richness), sandwich 3.0-2 and lmtest
# 0.9-40 (Debian r-cran-vegan, r-cran-sandwich, r-cran-lmtest). Run from the
# repository root:
#   Rscript Tests/MoodbiomeTests/Fixtures/exposure/generate_exposure_r.R
#
# Cases:
# - gp_sampletype: GlobalPatterns (26 samples), shannon ~ SampleType (9
#   levels, reference Feces); the exposure test is anova(reduced, full)'s
#   partial F; pairs are the contrasts b[a] - b[b] with vcov(fit), t on the
#   residual df, Holm within the metric (p.adjust).
# - sim_antidepressant_hc3: the simulated study, shannon ~ antidepressant +
#   age + sex with HC3 errors; the test is lmtest::waldtest(reduced, full,
#   vcov = vcovHC(full, "HC3"), test = "F").
# - sim_bmi: the simulated study, observed_features ~ bmi + age (numeric
#   exposure): the partial F (= t² of bmi).
# Writes exposure-r.csv: case, kind (test or pair), level, versus,
# estimate, std_error, statistic, df1, df2, p_value, p_holm.
suppressMessages({ library(vegan); library(sandwich); library(lmtest) })
here <- "Tests/MoodbiomeTests/Fixtures/exposure"
f17 <- function(x) sprintf("%.17g", x)
gp <- read.delim("Datasets/globalpatterns/feature-table.tsv", skip = 1, row.names = 1, check.names = FALSE)
meta <- read.delim("Datasets/globalpatterns/metadata.tsv", row.names = 1)
meta$shannon <- diversity(t(gp), "shannon")[rownames(meta)]
sim <- read.csv("Datasets/simulated-gut-mood/counts.csv", row.names = 1, check.names = FALSE)
smeta <- read.csv("Datasets/simulated-gut-mood/metadata.csv", row.names = 1)
smeta$shannon <- diversity(sim, "shannon")[rownames(smeta)]
smeta$observed_features <- specnumber(sim)[rownames(smeta)]
rows <- list()
test_row <- function(case, f, df1, df2, p) data.frame(case = case, kind = "test", level = "", versus = "", estimate = "NA",
  std_error = "NA", statistic = f17(f), df1 = df1, df2 = df2, p_value = f17(p), p_holm = "NA")

# GlobalPatterns: SampleType.
full <- lm(shannon ~ SampleType, data = meta)
a <- anova(lm(shannon ~ 1, data = meta), full)
rows[[length(rows) + 1]] <- test_row("gp_sampletype", a$F[2], a$Df[2], a$Res.Df[2], a$`Pr(>F)`[2])
levels <- sort(unique(meta$SampleType)); b <- coef(full); V <- vcov(full)
name <- function(l) paste0("SampleType", l)
pairs <- list()
for (j in seq_along(levels)) for (i in seq_along(levels)) if (i > j) {
  L <- setNames(rep(0, length(b)), names(b))
  if (j > 1) L[name(levels[j])] <- -1
  if (i > 1) L[name(levels[i])] <- 1
  est <- sum(L * b); se <- sqrt(drop(t(L) %*% V %*% L)); tt <- est / se
  pairs[[length(pairs) + 1]] <- data.frame(level = levels[i], versus = levels[j], estimate = est, se = se, t = tt,
                                           p = 2 * pt(-abs(tt), df.residual(full)))
}
pairs <- do.call(rbind, pairs); pairs$holm <- p.adjust(pairs$p, "holm")
rows[[length(rows) + 1]] <- data.frame(case = "gp_sampletype", kind = "pair", level = pairs$level, versus = pairs$versus,
  estimate = f17(pairs$estimate), std_error = f17(pairs$se), statistic = f17(pairs$t), df1 = 1, df2 = df.residual(full),
  p_value = f17(pairs$p), p_holm = f17(pairs$holm))

# Simulated study: antidepressant with HC3.
full <- lm(shannon ~ antidepressant + age + sex, data = smeta)
w <- waldtest(lm(shannon ~ age + sex, data = smeta), full, vcov = vcovHC(full, "HC3"), test = "F")
rows[[length(rows) + 1]] <- test_row("sim_antidepressant_hc3", w$F[2], 1, w$Res.Df[2], w$`Pr(>F)`[2])

# Simulated study: numeric exposure.
full <- lm(observed_features ~ bmi + age, data = smeta)
a <- anova(lm(observed_features ~ age, data = smeta), full)
rows[[length(rows) + 1]] <- test_row("sim_bmi", a$F[2], a$Df[2], a$Res.Df[2], a$`Pr(>F)`[2])
write.csv(do.call(rbind, rows), file.path(here, "exposure-r.csv"), row.names = FALSE, quote = FALSE)
