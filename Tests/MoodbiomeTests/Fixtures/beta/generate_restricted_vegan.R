# Reference values for permutation tests restricted by participant (repeated
# measures), from vegan 2.6-4 and permute 0.9.7 (R 4.2.2, Debian 12:
# r-cran-vegan, r-cran-permute). Run from the repository root:
#   Rscript Tests/MoodbiomeTests/Fixtures/beta/generate_restricted_vegan.R
# Data: the first 40 participants of Datasets/simulated-longitudinal with all
# four visits and a PHQ-9 total at each (160 samples; balanced, as permute's
# whole-plot permutations require). Writes beside this script:
#   longitudinal-bray.tsv, longitudinal-env.csv  the matrix and metadata the tests read
#   restricted-vegan.csv  case, term, f_statistic, p_value (9999 permutations)
# Cases: adonis2(by = "margin") of ~ phq9_total + months + age + sex with
#   how(plots = Plots(strata = participant_id, type = "free"), within = Within("none"))
#   ("plots"; the right test for age and sex, constant within a participant) and with
#   how(blocks = participant_id) ("blocks"; for phq9_total and months, varying within);
#   betadisper(sex) with plots; mantel(bray, dist(age)) with plots.
suppressMessages({ library(vegan); library(permute) })
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
out <- function(name) file.path(here, name)
set.seed(20261204)

counts <- read.csv("Datasets/simulated-longitudinal/counts.csv", row.names = 1, check.names = FALSE)
meta <- read.csv("Datasets/simulated-longitudinal/metadata.csv", stringsAsFactors = TRUE)
complete <- tapply(!is.na(meta$phq9_total), meta$participant_id, all) & table(meta$participant_id) == 4
keep <- head(names(which(complete)), 40)
meta <- meta[meta$participant_id %in% keep, c("sample_id", "participant_id", "visit", "months", "age", "sex", "phq9_total")]
meta$participant_id <- droplevels(meta$participant_id)
counts <- counts[as.character(meta$sample_id), ]
bray <- vegdist(counts, "bray")
m <- as.matrix(bray)
writeLines(c(paste(c("", rownames(m)), collapse = "\t"),
             sapply(seq_len(nrow(m)), function(i) paste(c(rownames(m)[i], sprintf("%.17g", m[i, ])), collapse = "\t"))),
           out("longitudinal-bray.tsv"))
write.csv(meta, out("longitudinal-env.csv"), row.names = FALSE, quote = FALSE)

perm <- 9999
plots <- how(plots = Plots(strata = meta$participant_id, type = "free"), within = Within(type = "none"), nperm = perm)
blocks <- how(blocks = meta$participant_id, nperm = perm)
rows <- list()
for (scheme in c("plots", "blocks")) {
  a <- adonis2(bray ~ phq9_total + months + age + sex, data = meta, by = "margin",
               permutations = if (scheme == "plots") plots else blocks)
  for (t in c("phq9_total", "months", "age", "sex"))
    rows[[length(rows) + 1]] <- data.frame(case = paste0("permanova_", scheme), term = t,
                                           f_statistic = sprintf("%.17g", a[t, "F"]), p_value = a[t, "Pr(>F)"])
}
b <- permutest(betadisper(bray, meta$sex, type = "median"), permutations = plots)
rows[[length(rows) + 1]] <- data.frame(case = "betadisper_plots", term = "sex",
                                       f_statistic = sprintf("%.17g", b$tab$F[1]), p_value = b$tab$`Pr(>F)`[1])
mt <- mantel(bray, dist(meta$age), method = "pearson", permutations = plots)
rows[[length(rows) + 1]] <- data.frame(case = "mantel_plots", term = "age",
                                       f_statistic = sprintf("%.17g", mt$statistic), p_value = mt$signif)
write.csv(do.call(rbind, rows), out("restricted-vegan.csv"), row.names = FALSE, quote = FALSE)
cat("R", R.version.string, "vegan", as.character(packageVersion("vegan")), "permute", as.character(packageVersion("permute")), "\n")
