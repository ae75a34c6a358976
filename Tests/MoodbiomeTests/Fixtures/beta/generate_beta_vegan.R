# Reference values from vegan 2.6-4 and GUniFrac 1.7 (R 4.2.2, Debian 12:
# r-cran-vegan; GUniFrac from CRAN) for Moodbiome's beta-diversity tests.
# Run from the repository root:
#   Rscript Tests/MoodbiomeTests/Fixtures/beta/generate_beta_vegan.R
# Writes beside this script:
#   vegdist-vegan.csv      dataset, metric, sample_a, sample_b, distance
#   gunifrac.csv           dataset, alpha, sample_a, sample_b, distance
#   permanova-vegan.csv    case, term, df, sum_of_squares, r_squared, f_statistic, p_value (9999 permutations)
#   betadisper-vegan.csv   case, f_statistic, df1, df2, p_value, p_permutation
#   betadisper-distances-vegan.csv  case, sample_id, distance
#   mantel-vegan.csv       case, statistic, p_value
# plus the distance matrices the tests read (dune-bray.tsv, bci-bray.tsv, ...).
suppressMessages({ library(vegan); library(GUniFrac); library(ape) })
here <- dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))
out <- function(name) file.path(here, name)
set.seed(20261126)

dune <- read.csv("Datasets/vegan-dune/dune_cover.csv", row.names = 1, check.names = FALSE)
dune.env <- read.csv("Datasets/vegan-dune/dune_env.csv", row.names = 1, stringsAsFactors = TRUE)
bci <- read.csv("Datasets/vegan-bci/BCI_counts.csv", row.names = 1, check.names = FALSE)
bci.env <- read.csv("Datasets/vegan-bci/BCI_env.csv", row.names = 1, stringsAsFactors = TRUE)

long <- function(d, dataset, metric) {
  m <- as.matrix(d); ids <- rownames(m); rows <- list()
  for (i in seq_along(ids)) for (j in seq_along(ids)) if (i < j)
    rows[[length(rows) + 1]] <- data.frame(dataset = dataset, metric = metric, sample_a = ids[i], sample_b = ids[j],
                                           distance = sprintf("%.17g", m[i, j]))
  do.call(rbind, rows)
}
writeSquare <- function(d, file) {
  m <- as.matrix(d)
  lines <- c(paste(c("", rownames(m)), collapse = "\t"),
             sapply(seq_len(nrow(m)), function(i) paste(c(rownames(m)[i], sprintf("%.17g", m[i, ])), collapse = "\t")))
  writeLines(lines, out(file))
}

# vegdist
vd <- rbind(
  long(vegdist(dune, "bray"), "dune", "braycurtis"),
  long(vegdist(dune, "jaccard", binary = TRUE), "dune", "jaccard"),
  long(vegdist(dune, "euclidean"), "dune", "euclidean"),
  long(vegdist(decostand(dune, "hellinger"), "euclidean"), "dune", "hellinger"),
  long(vegdist(bci, "bray"), "bci", "braycurtis"),
  long(vegdist(decostand(bci, "hellinger"), "euclidean"), "bci", "hellinger"))
write.csv(vd, out("vegdist-vegan.csv"), row.names = FALSE, quote = FALSE)

# Matrices the tests read.
dune.bray <- vegdist(dune, "bray"); writeSquare(dune.bray, "dune-bray.tsv")
bci.bray <- vegdist(bci, "bray"); writeSquare(bci.bray, "bci-bray.tsv")
dune.euc <- vegdist(decostand(dune, "hellinger"), "euclidean"); writeSquare(dune.euc, "dune-hellinger.tsv")
write.csv(data.frame(site_id = rownames(dune.env), dune.env), out("dune-env.csv"), row.names = FALSE)

# Generalized UniFrac (GUniFrac d(alpha)), on GlobalPatterns and gp500.
gp <- read.delim("Datasets/globalpatterns/feature-table.tsv", skip = 1, row.names = 1, check.names = FALSE)
gp <- t(as.matrix(gp))
gp.tree <- read.tree("Datasets/globalpatterns/tree.nwk")
gp.tree$tip.label <- gsub("'", "", gp.tree$tip.label)
gu <- GUniFrac(gp, gp.tree, alpha = c(0, 0.5, 1))$unifracs
g5 <- read.delim(file.path(here, "gp500-table.tsv"), row.names = 1, check.names = FALSE)
g5 <- t(as.matrix(g5))
g5.tree <- read.tree(file.path(here, "gp500.tree"))
gu5 <- GUniFrac(g5, g5.tree, alpha = c(0, 0.5, 1))$unifracs
gl <- function(u, dataset) do.call(rbind, lapply(c("0", "0.5", "1"), function(a) {
  x <- long(as.dist(u[, , paste0("d_", a)]), dataset, "generalized_unifrac"); x$alpha <- a; x }))
g <- rbind(gl(gu, "globalpatterns"), gl(gu5, "gp500"))
write.csv(g[, c("dataset", "alpha", "sample_a", "sample_b", "distance")], out("gunifrac.csv"), row.names = FALSE, quote = FALSE)

# PERMANOVA (adonis2), 9999 permutations each.
perm <- 9999
cases <- list(
  list("dune_terms", dune.bray ~ A1 + Management * Use, dune.env, "terms", NULL),
  list("dune_margin", dune.bray ~ A1 + Management * Use, dune.env, "margin", NULL),
  list("dune_margin_main", dune.bray ~ A1 + Management + Use, dune.env, "margin", NULL),
  list("dune_none", dune.bray ~ A1 + Management, dune.env, NULL, NULL),
  list("dune_moisture_strata", dune.bray ~ A1, dune.env, "terms", dune.env$Management),
  list("bci_terms", bci.bray ~ Habitat + Stream + EnvHet, bci.env, "terms", NULL))
pr <- list()
for (cs in cases) {
  a <- if (is.null(cs[[5]])) adonis2(cs[[2]], data = cs[[3]], permutations = perm, by = cs[[4]])
       else adonis2(cs[[2]], data = cs[[3]], permutations = perm, by = cs[[4]], strata = cs[[5]])
  pr[[length(pr) + 1]] <- data.frame(case = cs[[1]], term = rownames(a), df = a$Df, sum_of_squares = sprintf("%.17g", a$SumOfSqs),
                                     r_squared = sprintf("%.17g", a$R2), f_statistic = sprintf("%.17g", a$F), p_value = a[["Pr(>F)"]])
}
write.csv(do.call(rbind, pr), out("permanova-vegan.csv"), row.names = FALSE, quote = FALSE)

# betadisper, both centres.
bd <- list(); bdd <- list()
for (cs in list(list("dune_management_median", dune.bray, dune.env$Management, "median"),
                list("dune_management_centroid", dune.bray, dune.env$Management, "centroid"),
                list("dune_use_median", dune.bray, dune.env$Use, "median"),
                list("bci_habitat_median", bci.bray, bci.env$Habitat, "median"),
                list("dune_hellinger_moisture_median", dune.euc, dune.env$Moisture, "median"))) {
  b <- betadisper(cs[[2]], cs[[3]], type = cs[[4]])
  av <- anova(b)
  pt <- permutest(b, permutations = perm)
  bd[[length(bd) + 1]] <- data.frame(case = cs[[1]], f_statistic = sprintf("%.17g", av$`F value`[1]), df1 = av$Df[1], df2 = av$Df[2],
                                     p_value = sprintf("%.17g", av$`Pr(>F)`[1]), p_permutation = pt$tab$`Pr(>F)`[1])
  bdd[[length(bdd) + 1]] <- data.frame(case = cs[[1]], sample_id = names(b$distances), distance = sprintf("%.17g", b$distances))
}
write.csv(do.call(rbind, bd), out("betadisper-vegan.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, bdd), out("betadisper-distances-vegan.csv"), row.names = FALSE, quote = FALSE)

# Mantel.
mt <- list()
for (cs in list(list("dune_a1_pearson", dune.bray, dist(dune.env$A1), "pearson"),
                list("dune_a1_spearman", dune.bray, dist(dune.env$A1), "spearman"),
                list("bci_envhet_pearson", bci.bray, dist(bci.env$EnvHet), "pearson"),
                list("dune_bray_hellinger_spearman", dune.bray, dune.euc, "spearman"))) {
  m <- mantel(cs[[2]], cs[[3]], method = cs[[4]], permutations = perm)
  mt[[length(mt) + 1]] <- data.frame(case = cs[[1]], statistic = sprintf("%.17g", m$statistic), p_value = m$signif)
}
write.csv(do.call(rbind, mt), out("mantel-vegan.csv"), row.names = FALSE, quote = FALSE)
cat("R", R.version.string, "vegan", as.character(packageVersion("vegan")), "GUniFrac", as.character(packageVersion("GUniFrac")), "\n")
