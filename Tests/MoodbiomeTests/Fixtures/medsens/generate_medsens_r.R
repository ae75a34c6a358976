# Imai, Keele & Yamamoto's sensitivity analysis of the ACME (mediation's
# medsens) on the simulated diet study of Fixtures/mediation/ — the reference
# for Moodbiome's `mediate --sensitivity`.
#
#   Rscript Tests/MoodbiomeTests/Fixtures/medsens/generate_medsens_r.R
#
# R 4.2.2 with mediation 4.5.1 (CRAN's source, github.com/cran/mediation commit
# 7c69452, installed with `R CMD INSTALL`; its dependencies MASS, Matrix,
# mvtnorm, sandwich, lpSolve, Hmisc and lme4 from Debian). The grid, estimates,
# delta-method intervals and the rho at which each effect is 0 are deterministic
# (medsens' sims only enter binary models), so they are compared exactly.
suppressMessages(library(mediation))
here <- "Tests/MoodbiomeTests/Fixtures/medsens"
d <- read.csv("Tests/MoodbiomeTests/Fixtures/mediation/mediation-data.csv")
d$sex <- factor(d$sex)
cases <- list(
  list(name = "plain", m = shannon ~ diet + age + sex, y = phq9_total ~ diet + shannon + age + sex, int = FALSE, by = 0.1, level = 0.95),
  list(name = "interaction", m = shannon ~ diet + age + sex, y = phq9_total ~ diet * shannon + age + sex, int = TRUE, by = 0.05, level = 0.9),
  list(name = "bare", m = shannon ~ diet, y = phq9_total ~ diet + shannon, int = FALSE, by = 0.01, level = 0.95)
)
rows <- list(); crit <- list()
for (cs in cases) {
  fm <- lm(cs$m, data = d); fy <- lm(cs$y, data = d)
  med <- mediate(fm, fy, treat = "diet", mediator = "shannon", sims = 100, conf.level = cs$level)
  s <- medsens(med, rho.by = cs$by, effect.type = "both")
  rows[[cs$name]] <- data.frame(case = cs$name, rho = s$rho, d0 = s$d0, lower_d0 = s$lower.d0, upper_d0 = s$upper.d0,
                                d1 = s$d1, lower_d1 = s$lower.d1, upper_d1 = s$upper.d1, z0 = s$z0, lower_z0 = s$lower.z0,
                                upper_z0 = s$upper.z0, z1 = s$z1, lower_z1 = s$lower.z1, upper_z1 = s$upper.z1)
  crit[[cs$name]] <- data.frame(case = cs$name, err_cr_d0 = s$err.cr.d[1], err_cr_d1 = s$err.cr.d[length(s$err.cr.d)],
                                err_cr_z0 = s$err.cr.z[1], err_cr_z1 = s$err.cr.z[length(s$err.cr.z)],
                                r2star_d = s$R2star.d.thresh[1], r2tilde_d = s$R2tilde.d.thresh[1])
}
header <- sprintf("# R %s.%s, mediation %s: medsens(mediate(lm, lm), rho.by, effect.type = 'both')", R.version$major, R.version$minor, packageVersion("mediation"))
out <- do.call(rbind, rows)
con <- file(file.path(here, "medsens-r.csv"), "w"); writeLines(header, con)
write.csv(format(out, digits = 17), con, row.names = FALSE, quote = FALSE); close(con)
con <- file(file.path(here, "medsens-critical-r.csv"), "w"); writeLines(header, con)
write.csv(format(do.call(rbind, crit), digits = 17), con, row.names = FALSE, quote = FALSE); close(con)
