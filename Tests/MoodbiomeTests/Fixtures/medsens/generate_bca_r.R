# BCa intervals of bootstrap mediation effects as the R package mediation
# computes them (mediate(boot = TRUE, boot.ci.type = "bca")): the replicate
# vectors mediate returns (d0.sims, …) and its intervals, so that Moodbiome's
# BCa formula is checked exactly on the same replicates.
#
#   Rscript Tests/MoodbiomeTests/Fixtures/medsens/generate_bca_r.R
#
# R 4.2.2, mediation 4.5.1 (as generate_medsens_r.R); set.seed(20261205).
suppressMessages(library(mediation))
here <- "Tests/MoodbiomeTests/Fixtures/medsens"
d <- read.csv("Tests/MoodbiomeTests/Fixtures/mediation/mediation-data.csv")
d$sex <- factor(d$sex)
set.seed(20261205)
cases <- list(
  list(name = "linear", m = shannon ~ diet + age + sex, y = phq9_total ~ diet + shannon + age + sex, level = 0.95, glm = FALSE),
  list(name = "interaction", m = shannon ~ diet + age, y = phq9_total ~ diet * shannon + age, level = 0.9, glm = FALSE),
  list(name = "logistic", m = shannon ~ diet + age, y = depressed ~ diet + shannon + age, level = 0.95, glm = TRUE)
)
sims <- list(); cis <- list()
names <- c(acme_control = "d0", acme_treated = "d1", ade_control = "z0", ade_treated = "z1", total_effect = "tau",
           prop_mediated_control = "n0", prop_mediated_treated = "n1", acme_average = "d.avg", ade_average = "z.avg",
           prop_mediated_average = "n.avg")
for (cs in cases) {
  fm <- lm(cs$m, data = d)
  fy <- if (cs$glm) glm(cs$y, data = d, family = binomial("logit")) else lm(cs$y, data = d)
  med <- mediate(fm, fy, treat = "diet", mediator = "shannon", boot = TRUE, boot.ci.type = "bca", sims = 1000, conf.level = cs$level)
  for (effect in names(names)) {
    r <- names[[effect]]
    sims[[paste(cs$name, effect)]] <- data.frame(case = cs$name, effect = effect, replicate = seq_along(med[[paste0(r, ".sims")]]),
                                                 value = as.numeric(med[[paste0(r, ".sims")]]))
    ci <- med[[paste0(r, ".ci")]]
    cis[[paste(cs$name, effect)]] <- data.frame(case = cs$name, effect = effect, level = cs$level, low = ci[[1]], high = ci[[2]])
  }
}
header <- sprintf("# R %s.%s, mediation %s: mediate(boot = TRUE, boot.ci.type = 'bca', sims = 1000), set.seed(20261205)", R.version$major, R.version$minor, packageVersion("mediation"))
for (f in list(list("bca-replicates-r.csv", sims), list("bca-intervals-r.csv", cis))) {
  con <- file(file.path(here, f[[1]]), "w"); writeLines(header, con)
  write.csv(format(do.call(rbind, f[[2]]), digits = 17), con, row.names = FALSE, quote = FALSE); close(con)
}
