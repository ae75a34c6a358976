/// The commented manifest `moodbiome run --template` prints: every table and
/// key a manifest may hold, each with what it means and its default. A test
/// checks that it names every key of ``StudyManifest``'s schema and that it
/// parses, so the two cannot drift apart.
extension StudyManifest {
    public static let template = """
    # A Moodbiome study manifest: `moodbiome run study.toml` runs it, `--verify`
    # checks a recorded run byte for byte. Paths are relative to this file.
    # Keys commented out show their default; uncomment to change them.

    [inputs]
    counts = "counts.csv"            # count table: CSV/TSV, BIOM 2.1/1.0, .qza, mothur .shared, MetaPhlAn
    metadata = "metadata.csv"        # one row per sample; IDs in the first column
    # id_column = "sample_id"        # the metadata's ID column, if not the first
    # samples_in = "auto"            # CSV/TSV count tables: "rows", "columns" or "auto" (decided by the metadata's IDs)
    # tree = "tree.nwk"              # Newick tree, for faith_pd and UniFrac
    # midpoint_root = false          # root an unrooted tree at its midpoint

    [diversity]
    metrics = ["shannon", "simpson", "observed_features"]   # `moodbiome metrics` lists them all
    # base = "e"                     # logarithm of the entropies: "e", "2" or "10"
    # rarefy = 5000                  # rarefy every sample to this many reads (shallower ones are dropped and listed)
    # iterations = 1                 # rarefaction draws averaged per sample
    # seed = 2026                    # random seed of rarefaction and permutations (drawn and recorded when absent)
    # drop_empty = false             # leave out samples with no reads instead of reporting NA
    # chao1 = "bias-corrected"       # or "classic"
    # ace_threshold = 10             # ACE's rare-taxon threshold
    # gini_method = "rectangles"     # or "trapezoids"

    # [scale]                        # score an instrument from item columns first
    # name = "phq9"                  # phq9, phq8, bdi2, hamd17, hamd17-zimmerman, madrs, hads-d, hads-a, cesd, gad7, pss10
    # prefix = "phq9_"               # item columns phq9_1 … phq9_9 (or items = [...])
    # items = ["q1", "q2"]           # the item columns, in item order (instead of prefix)
    # invalid = "error"              # or "as-missing": out-of-range answers count as missing
    # output_prefix = "phq9"         # scored columns phq9_total, phq9_band… (another prefix when the metadata has them)

    [model]
    outcome = "phq9_total"           # the outcome column (with [scale], default the scored total)
    # exposure = "SampleType"        # instead of outcome: diversity as the outcome, metric ~ exposure + covariates
    covariates = ["age", "sex"]      # columns or formula terms: "C(bristol_stool_type)", "log(bmi)", "I(age^2)"
    # family = "gaussian"            # or "binomial"; default: binomial for a two-valued outcome, else gaussian
    # outcome_cutoff = 10            # dichotomise: outcome ≥ cutoff is 1 (logistic models)
    # outcome_band = "moderate+"     # with [scale]: dichotomise at a severity band and above
    # robust = "hc3"                 # heteroscedasticity-consistent errors: hc0, hc1, hc2, hc3
    # cluster = "participant_id"     # cluster-robust errors over this column's groups
    # random = "(1 | participant_id)"   # random-effects terms: linear mixed models (lme4's lmer)
    # time = "months"               # with random: the visit time, for trajectory and change-from-baseline figures (default: the random slope's column)
    # mediate_by = "diet"           # also: does this two-level exposure act on the outcome through each metric? (causal mediation)
    # ml = false                     # with random: maximum likelihood instead of REML
    # profile_ci = false             # with random: profile intervals of the SDs in random_effects
    # depth_covariate = false        # adjust every model for log(reads per sample)
    # conf_level = 0.95              # confidence level of the intervals
    # references = { sex = "male" }  # reference level per categorical column
    # adjust = "bh"                  # across metrics: "bh", "holm" or "bonferroni"
    # group_by = "phq9_band"         # column for Table 1 and the box plots

    # [composition]                  # beta diversity: PERMANOVA, PERMDISP and PCoA per metric
    # metrics = ["braycurtis"]       # `moodbiome beta --help` lists them
    # permutations = 999
    # strata = "participant_id"      # repeated measures: permute whole participants / within them (default: the random grouping)
    # pseudocount = 1                # Aitchison's pseudocount for zeros
    # alpha = 0.5                    # generalised UniFrac's α

    # [functions]                    # gut–brain modules from functional profiles, each tested against the outcome
    # profiles = ["humann_ko.tsv"]   # HUMAnN, PICRUSt2 or a KO table (several: one file per sample)
    # db = ["gbm"]                   # gbm, gmm or a module file (omixer-rpm's format)
    # coverage = 0.66                # a module counts in a sample at this step coverage or more
    # method = "maaslin2"            # or "linda" (LinDA), "ancombc" (ANCOM-BC) or "ancombc2"

    [output]
    directory = "results"            # written as a whole; an existing run is replaced only with --force
    # format = "csv"                 # data tables: csv, tsv, md, json, tex or html
    # labels = { phq9_total = "Depression (PHQ-9)" }          # names in figures and headings
    # levels = { phenotype = ["Lean", "Overweight", "Obese"] }  # level order (and "value:label") in figures
    # figure_formats = ["pdf", "png"]  # besides SVG (always written): PDF and PNG, set in Liberation Sans
    # dpi = 300                      # PNG resolution, 72 to 1200 dots per inch

    """
}
