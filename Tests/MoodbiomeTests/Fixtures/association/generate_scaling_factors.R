# Reference scaling factors for `associate --normalization css|tmm`
# (ScalingFactors.css/.tmm), from the packages MaAsLin2 calls:
# metagenomeSeq 1.40.0 (cumNormStat, cumNorm; Debian r-bioc-metagenomeseq) and
# edgeR 3.40.2 (calcNormFactors, method "TMM"; Debian r-bioc-edger), R 4.2.2.
#
#   Rscript Tests/MoodbiomeTests/Fixtures/association/generate_scaling_factors.R
#
# Two tables, samples × all their features (no filtering):
# - GlobalPatterns (Datasets/globalpatterns/feature-table.tsv): 26 samples,
#   upper quartiles all 0, so edgeR picks its reference by Σ√count;
#   cumNormStat falls back to its default 0.5.
# - lung-subset.csv (written here): samples 41–50 of metagenomeSeq's own
#   example `lungData` (Charlson et al. 2011, shipped with metagenomeSeq under
#   Artistic-2.0), the features present in them, as sample,feature,count
#   triplets of the non-zeros (samples renamed L1–L10 in order, features by
#   their row number in the subset, which fixes the order sums are taken in); its cumNormStat is 0.59, above the default, so
#   the percentile search is exercised.
# Writes scaling-factors.csv: dataset, sample, css_percentile, css_divisor
# (normFactor / 1000, what MRcounts(norm = TRUE) divides by), tmm_divisor
# (MaAsLin2's TMMnorm: total × factor over the mean of those).
suppressMessages({library(metagenomeSeq); library(edgeR)})
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))

data(lungData)
lung <- MRcounts(lungData)[, 41:50]
lung <- lung[rowSums(lung > 0) > 0, ]
colnames(lung) <- paste0("L", 1:10)
nz <- which(lung > 0, arr.ind = TRUE)
write.csv(data.frame(sample = colnames(lung)[nz[, 2]], feature = nz[, 1], count = lung[nz]),
          file.path(here, "lung-subset.csv"), row.names = FALSE, quote = FALSE)
gp <- as.matrix(read.delim("Datasets/globalpatterns/feature-table.tsv", row.names = 1, check.names = FALSE, skip = 1))

factors <- function(name, x) {   # x: features × samples
  mgs <- newMRexperiment(x)
  p <- suppressMessages(cumNormStat(mgs))
  css <- unlist(normFactors(cumNorm(mgs, p = p))) / 1000
  eff <- colSums(x) * calcNormFactors(x, method = "TMM")
  data.frame(dataset = name, sample = colnames(x), css_percentile = sprintf("%.17g", p),
             css_divisor = sprintf("%.17g", css), tmm_divisor = sprintf("%.17g", eff / mean(eff)))
}
out <- rbind(factors("globalpatterns", gp), factors("lung", lung))
write.csv(out, file.path(here, "scaling-factors.csv"), row.names = FALSE, quote = FALSE)
cat(R.version.string, "metagenomeSeq", as.character(packageVersion("metagenomeSeq")), "edgeR", as.character(packageVersion("edgeR")), "\n")
