# vegan's betadisper to group centroids, the reference for both the
# in-memory PERMDISP (`Dispersion`, --type centroid) and the streamed one
# computed from the distances alone (`betadisper --type centroid --streamed`).
# vegan 2.6-4 (R 4.2.2, Debian 12: r-cran-vegan). Run from the repository root:
#   Rscript Tests/MoodbiomeTests/Fixtures/beta/generate_betadisper_centroid_vegan.R
# Reads the matrices generate_beta_vegan.R wrote (bci-bray.tsv, dune-bray.tsv,
# dune-hellinger.tsv); writes betadisper-centroid-vegan.csv:
#   case, sample_id, group, distance (vegan's b$distances), then per case one
#   row with sample_id "(test)": f_statistic, df1, df2, p_value of anova(b).
suppressMessages(library(vegan))
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
square <- function(name) as.dist(as.matrix(read.delim(file.path(here, name), row.names = 1, check.names = FALSE)))
dune.env <- read.csv("Datasets/vegan-dune/dune_env.csv", row.names = 1, stringsAsFactors = TRUE)
bci.env <- read.csv("Datasets/vegan-bci/BCI_env.csv", row.names = 1, stringsAsFactors = TRUE)
rows <- list()
for (cs in list(list("bci_habitat_centroid", "bci-bray.tsv", bci.env, "Habitat"),
                list("dune_use_centroid", "dune-bray.tsv", dune.env, "Use"),
                list("dune_hellinger_moisture_centroid", "dune-hellinger.tsv", dune.env, "Moisture"))) {
  d <- square(cs[[2]])
  groups <- cs[[3]][labels(d), cs[[4]]]
  b <- betadisper(d, groups, type = "centroid")
  av <- anova(b)
  rows[[length(rows) + 1]] <- data.frame(case = cs[[1]], sample_id = names(b$distances), group = as.character(groups),
                                         distance = sprintf("%.17g", b$distances), f_statistic = "", df1 = "", df2 = "", p_value = "")
  rows[[length(rows) + 1]] <- data.frame(case = cs[[1]], sample_id = "(test)", group = "", distance = "",
                                         f_statistic = sprintf("%.17g", av$`F value`[1]), df1 = av$Df[1], df2 = av$Df[2],
                                         p_value = sprintf("%.17g", av$`Pr(>F)`[1]))
}
write.csv(do.call(rbind, rows), file.path(here, "betadisper-centroid-vegan.csv"), row.names = FALSE, quote = FALSE)
