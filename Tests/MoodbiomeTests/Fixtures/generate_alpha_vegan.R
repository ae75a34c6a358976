#!/usr/bin/env Rscript
# Cross-check values for Moodbiome's alpha diversity, computed by R vegan.
#
# Tool: R 4.2.2 with vegan 2.6-4 (Debian bookworm packages r-base-core,
# r-cran-vegan). Command (from the repository root):
#
#     Rscript Tests/MoodbiomeTests/Fixtures/generate_alpha_vegan.R
#
# Writes alpha-vegan.csv in this folder, in the same long form as
# alpha-skbio.csv (dataset, sample_id, metric, variant, value), for the
# metrics vegan has:
#   observed_features  specnumber(x)
#   shannon            diversity(x, "shannon")            (natural log)
#   shannon base=2     diversity(x, "shannon", base = 2)
#   simpson            diversity(x, "simpson")            (1 - sum p^2)
#   inv_simpson        diversity(x, "invsimpson")
#   chao1              estimateR(x)["S.chao1", ]          (bias-corrected)
#   ace                estimateR(x)["S.ACE", ]            (rare threshold 10)
#   fisher_alpha       fisher.alpha(x)
#   hill_Q             renyi(x, scales = Q, hill = TRUE)
#   renyi_Q            renyi(x, scales = Q)
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
root <- normalizePath(file.path(here, "..", "..", ".."))
suppressPackageStartupMessages(library(vegan))

bci <- as.matrix(read.csv(file.path(root, "Datasets/vegan-bci/BCI_counts.csv"), row.names = 1, check.names = FALSE))
gp <- read.delim(file.path(root, "Datasets/globalpatterns/feature-table.tsv"), skip = 1, row.names = 1, check.names = FALSE)
gp <- t(as.matrix(gp))
tw <- t(as.matrix(read.csv(file.path(root, "Datasets/twins/Twins.csv"), row.names = 1, check.names = FALSE)))
sets <- list(bci = bci, globalpatterns = gp, twins = tw)

out <- character()
emit <- function(dataset, ids, metric, variant, values) {
  v <- ifelse(is.na(values), "NA", ifelse(is.infinite(values), "inf", sprintf("%.17g", values)))
  out <<- c(out, paste(dataset, ids, metric, variant, v, sep = ","))
}
for (name in names(sets)) {
  x <- sets[[name]]
  ids <- rownames(x)
  emit(name, ids, "observed_features", "", specnumber(x))
  emit(name, ids, "shannon", "", diversity(x, "shannon"))
  emit(name, ids, "shannon", "base=2", diversity(x, "shannon", base = 2))
  emit(name, ids, "simpson", "", diversity(x, "simpson"))
  emit(name, ids, "inv_simpson", "", diversity(x, "invsimpson"))
  est <- estimateR(x)
  emit(name, ids, "chao1", "", est["S.chao1", ])
  emit(name, ids, "ace", "", est["S.ACE", ])
  emit(name, ids, "fisher_alpha", "", fisher.alpha(x))
  for (q in c(0, 0.5, 1, 2, Inf)) {
    qn <- if (is.infinite(q)) "inf" else format(q)
    emit(name, ids, paste0("hill_", qn), "", as.numeric(renyi(x, scales = q, hill = TRUE)))
    emit(name, ids, paste0("renyi_", qn), "", as.numeric(renyi(x, scales = q)))
  }
}
writeLines(c("dataset,sample_id,metric,variant,value", out), file.path(here, "alpha-vegan.csv"))
message(sprintf("vegan %s: %d values", packageVersion("vegan"), length(out)))
