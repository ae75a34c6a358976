#!/usr/bin/env Rscript
# Reference fit statistics from R's lm/glm for Moodbiome's regression models
# (the AIC/BIC convention that counts sigma as a parameter is R's).
#
# Tool: R (version written into the output's header), base stats only.
# Run from the repository root:
#   Rscript Tests/MoodbiomeTests/Fixtures/generate_regression_r.R
# Reads regression-data.csv (made by generate_regression_statsmodels.py) and
# writes regression-fit-r.csv: model, statistic, value.
here <- "Tests/MoodbiomeTests/Fixtures"
d <- read.csv(file.path(here, "regression-data.csv"), na.strings = c("NA", "", "NULL", "nan"),
              stringsAsFactors = TRUE)
rows <- list()
add <- function(model, key, value) rows[[length(rows) + 1]] <<- data.frame(model = model, statistic = key, value = sprintf("%.17g", value))
lms <- list(
  main = phq9 ~ shannon + age + sex + bmi,
  interaction = phq9 ~ shannon * group + I(age^2) + log(bmi) + sex,
  nointercept = phq9 ~ group + shannon - 1
)
for (name in names(lms)) {
  fit <- lm(lms[[name]], data = d)
  s <- summary(fit)
  add(name, "aic", AIC(fit)); add(name, "bic", BIC(fit)); add(name, "log_likelihood", as.numeric(logLik(fit)))
  add(name, "r_squared", s$r.squared); add(name, "adj_r_squared", s$adj.r.squared); add(name, "sigma", s$sigma)
  add(name, "f_statistic", s$fstatistic[["value"]])
}
fit <- glm(depressed ~ shannon + age + sex + bmi, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
add("logit", "deviance", deviance(fit)); add("logit", "null_deviance", fit$null.deviance)
add("logit", "aic", AIC(fit)); add("logit", "bic", BIC(fit))
out <- do.call(rbind, rows)
con <- file(file.path(here, "regression-fit-r.csv"), "w")
writeLines(paste0("# ", R.version.string, "; generate_regression_r.R"), con)
write.csv(out, con, row.names = FALSE, quote = FALSE)
close(con)
