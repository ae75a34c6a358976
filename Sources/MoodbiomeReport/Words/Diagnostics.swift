import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeNumerics

/// How a front end spells parameters: the command line as `--conf-level`,
/// a manifest as `conf_level`. The library names parameters (`confLevel`);
/// the words of a message use the spelling of whoever made the request.
public struct ParameterSpelling: Sendable {
    public let spell: @Sendable (Parameter) -> String

    public init(_ spell: @escaping @Sendable (Parameter) -> String) { self.spell = spell }

    /// Lower camel case to words joined by `separator` (`confLevel` →
    /// `conf-level`), with `overrides` for names that differ.
    public static func derived(prefix: String, separator: String, overrides: [String: String] = [:]) -> ParameterSpelling {
        ParameterSpelling { parameter in
            if let name = overrides[parameter.name] { return name }
            var out = ""
            for ch in parameter.name {
                if ch.isUppercase { out += separator + ch.lowercased() } else { out.append(ch) }
            }
            return prefix + out
        }
    }

    /// The canonical names, for messages not tied to a front end.
    public static let canonical = ParameterSpelling { $0.name }
}

/// Every diagnostic in words: errors and notes of the lower layers, which
/// carry only typed facts, become the messages users read — file, line,
/// column, what was wrong and how to fix it.
public enum Words {
    /// A list of IDs for a message: all of them up to 20, then a count.
    public static func list(_ ids: [String]) -> String {
        ids.count <= 20 ? ids.joined(separator: ", ") : ids.prefix(20).joined(separator: ", ") + ", … (\(ids.count - 20) more)"
    }

    static func plural(_ n: Int, _ one: String, _ many: String) -> String { n == 1 ? one : many }

    /// A count and its noun, in the singular for one: "1 model", "3 models"
    /// ("1 taxon", "2 taxa" with `many`).
    public static func counted(_ n: Int, _ noun: String, _ many: String? = nil) -> String {
        "\(n) " + (n == 1 ? noun : many ?? noun + "s")
    }

    /// The message for any error Moodbiome throws.
    public static func message(for error: any Error, spelling: ParameterSpelling) -> String {
        let s = spelling.spell
        switch error {
        case let e as InputError: return e.worded(s)
        case let e as OutputError: return e.worded(s)
        case let e as ParameterError:
            let (problem, fix) = parameterProblem(e, spelling: spelling)
            // A parameter mentioned inside the problem (an expected value that names another) is spelled too.
            return Parameter.spelling("\(s(e.parameter)): \(problem)" + (fix.map { ". \($0)" } ?? ""), s)
        case let e as DataError:
            let (problem, fix) = dataProblem(e.kind, spelling: spelling)
            return InputError(at: e.location, problem: problem, fix: fix).description
        case let e as MetricModelError:
            if let inner = e.underlying as? DataError {
                let (problem, fix) = dataProblem(inner.kind, spelling: spelling)
                return InputError(at: inner.location, problem: "model for \(e.metric): " + problem, fix: fix).description
            }
            return message(for: e.underlying, spelling: spelling)
        case let e as FormulaError: return formula(e)
        case let e as SystemLibrary.Unavailable: return library(e)
        case let e as AlphaDiversityError: return diversity(e, spelling: spelling)
        case let e as ScoringError: return scoring(e, spelling: spelling)
        case let e as BetaDiversityError: return beta(e, spelling: spelling)
        case let e as MediationError: return mediation(e, spelling: spelling)
        case let e as CompositionError: return composition(e, spelling: spelling)
        case let e as AssociationError:
            switch e {
            case .transformAfterCLR(let t):
                return "\(s(.transform)): \(t.rawValue) cannot follow CLR normalisation (CLR values are log-ratios, negative as often as not). Use \(s(.transform)) none with \(s(.normalization)) clr, as MaAsLin2 recommends"
            case .arcsineOutOfRange(let feature, let value):
                return "the arcsine-square-root transform needs values between -1 and 1, but '\(feature)' has \(NumberStyle.roundTrip.format(value)) after normalisation. Use \(s(.normalization)) tss (proportions), or \(s(.transform)) log"
            case .noFeaturesLeft(let total):
                return "every one of the \(total) features was filtered out. Lower \(s(.minPrevalence)) (now: present in more than that share of samples) or \(s(.minAbundance))"
            case .tooFewFeaturesPrevalent(let kept, let total, let share):
                return "\(kept == 0 ? "none" : "only \(kept)") of the \(total) features \(kept == 1 ? "is" : "are") present in \(NumberStyle.roundTrip.format(share * 100))% of the samples or more, and LinDA's log-ratios need at least two. Lower \(s(.minPrevalence))"
            case .randomTermsUnsupported(let method) where method == .all:
                return "\(s(.method)) all includes ANCOM-BC and ANCOM-BC2, which fit no mixed models (as scikit-bio 0.7.4's ancombc and ancombc2), so random-effects terms cannot be used with it. Use \(s(.method)) linda or maaslin2 with \(s(.random))"
            case .randomTermsUnsupported(let method):
                return "\(s(.method)) \(method.rawValue) fits no mixed models (as scikit-bio 0.7.4's ancombc and ancombc2, its reference), so random-effects terms cannot be used with it. Use \(s(.method)) linda or maaslin2 with \(s(.random))"
            case .noFeatureFittable(let column):
                return "no feature can be fitted for \(column) with its zeros as missing values (each leaves a variable with one observed level). Give \(s(.pseudocount)) 1, or a more parsimonious model"
            case .tooFewFeaturesWithoutStructuralZeros(let kept, let group):
                return "\(kept == 0 ? "no" : "only \(kept)") feature\(kept == 1 ? " is" : "s are") left once those absent from a whole \(group) group (structural zeros) are set aside, and ANCOM-BC's bias needs at least two. Lower \(s(.minPrevalence)), or drop \(s(.strucZero))"
            case .aliasedDesign(let columns):
                return "the model's columns (\(columns.joined(separator: ", "))) are linearly dependent, so ANCOM-BC's coefficients are not determined. Drop a redundant variable"
            case .noSamplesDeepEnough(let depth, let samples):
                return "none of the \(samples) samples with every model variable has \(NumberStyle.roundTrip.format(depth)) reads or more. Lower \(s(.minDepth))"
            case .tooFewSamples(let samples, let parameters):
                return "\(samples) samples for a model with \(parameters) parameters: each feature's model needs more samples than parameters. Drop covariates, or use more samples"
            case .negativeBinomialNeedsCounts(let normalization, let transform):
                return "\(s(.model)): negbin models counts, but the features would be " + (transform != .none ? "\(transform.rawValue)-transformed" : "\(normalization.rawValue)-normalised (\(normalization == .clr ? "log-ratios" : "proportions"))")
                    + ". Use \(s(.normalization)) css, tmm or none with \(s(.transform)) none, as MaAsLin2 requires for NEGBIN"
            case .negativeBinomialUnsupported(let randomTerms):
                return randomTerms
                    ? "\(s(.model)): negbin with random-effects terms (MaAsLin2 fits glmmTMB's nbinom2) is not implemented. Drop \(s(.random)), or use \(s(.model)) lm"
                    : "\(s(.model)): negbin models each feature; in outcome mode the feature is a predictor. Use \(s(.formula)) for MaAsLin2's path, or \(s(.model)) lm"
            case .taxonColumnClash(let name):
                return "the metadata has a column '\(name)', the name outcome mode gives the taxon in its models. Rename that column"
            }
        case let e as PhylogenyError:
            switch e {
            case .unrooted(let file, let children):
                return InputError(file: file, problem: "the tree is unrooted (its root has \(children) children); UniFrac and Faith's PD need a rooted tree",
                                  fix: "Give the rooted tree (QIIME 2: rooted-tree.qza exported), or root this one at its midpoint with \(s(.midpointRoot))").description
            }
        case let e as LinearAlgebraError: return e.description
        case let e as RandomizedEigen.NotConverged:
            return "the randomized PCoA did not converge in \(e.passes) passes over the matrix (relative residual \(NumberStyle.significantDigits(2).format(e.residual)), 1e-11 wanted): "
                + "the largest axes' eigenvalues are too close to the next ones. Ask for more axes with \(s(.dimensions)), or use \(s(.method)) eigh on a matrix that fits in memory"
        default: return "\(error)"
        }
    }

    /// A parameter error's problem and fix, without the parameter's name.
    public static func parameterProblem(_ e: ParameterError, spelling: ParameterSpelling) -> (problem: String, fix: String?) {
        let s = spelling.spell
        switch e.problem {
        case .outOfRange(let value, let allowed):
            switch allowed {
            case .atLeast(let x): return ("must be at least \(x) (got \(value))", nil)
            case .atMost(let x): return ("must be at most \(x) (got \(value))", nil)
            case .between(let a, let b): return ("must be between \(a) and \(b) (got \(value))", nil)
            case .strictlyBetween(let a, let b): return ("must be between \(a) and \(b), exclusive (got \(value))", nil)
            }
        case .unknownChoice(let value, let choices):
            return ("'\(value)' is not one of \(choices.joined(separator: ", "))", nil)
        case .requires(let other):
            if e.parameter == .outcomeBand { return ("a band needs the instrument", "Add \(s(.scale)) NAME with \(s(.items)) or \(s(.prefix))") }
            return ("applies only together with \(s(other))", "Add \(s(other)), or drop \(s(e.parameter))")
        case .conflicts(let other):
            return ("cannot be combined with \(s(other))", "Give \(s(e.parameter)) or \(s(other)), not both")
        case .malformed(let value, let expected):
            return ("'\(value)' is not \(expected)", nil)
        case .disagrees(let value, let with):
            return ("\(value) disagrees with the extension of '\(with)'", "Drop \(s(e.parameter)), or name the file with a matching extension")
        case .onlyFor(let setting):
            switch setting {
            case .linearModels:
                return ("robust (HC) standard errors are implemented for linear models only", "Drop \(s(e.parameter)) for a logistic model")
            case .logisticModels:
                return ("odds ratios are for logistic models", "Add \(s(.family)) binomial, or drop \(s(e.parameter))")
            case .rarefaction:
                return ("only applies to rarefaction", "Add \(s(.rarefy)) DEPTH")
            case .scoredInstrument:
                return ("needs an instrument to score", "Add \(s(.scale)) NAME with \(s(.items)) or \(s(.prefix))")
            case .fixedEffectsModels:
                return ("does not apply to a mixed model: its standard errors come from the estimated variance components, with Satterthwaite degrees of freedom",
                        "Drop \(s(e.parameter)), or drop the random-effects terms and keep \(s(e.parameter))")
            case .mixedModels:
                return ("applies only to mixed models, whose formula has random-effects terms such as (1 | participant)",
                        "Add a random-effects term, or drop \(s(e.parameter))")
            case .pngFigures:
                return ("sets the resolution of PNG figures only", "Ask for PNG figures (\(s(.figureFormats)) png, or a .png figure file), or drop \(s(e.parameter))")
            case .metrics(let names):
                return ("applies only to " + (names.count == 1 ? "the metric \(names[0]), which is not requested" : "the metrics \(names.joined(separator: ", ")), none of which is requested"),
                        "Add \(names.count == 1 ? "it" : "one") to \(s(.metrics)), or drop \(s(e.parameter))")
            case .tableFormat(let format, let found):
                return ("applies only to \(format) tables, and this table is a \(found)", "Drop \(s(e.parameter))")
            case .hdf5Output:
                return ("sets how an HDF5 distance matrix stores its values, and this output is not HDF5", "Name the output FILE.h5 (or write a stripe with \(s(.partial))), or drop \(s(e.parameter))")
            case .delimitedOutput:
                return ("guards the text cells of CSV and TSV output, and this output is not CSV or TSV", "Drop \(s(e.parameter)), or write CSV or TSV")
            case .centroidDispersion:
                return ("reads the matrix block by block and measures distances to the groups' centroids, which need only the distances; the spatial median (\(s(.type)) median, the default) needs every principal coordinate in memory",
                        "Add \(s(.type)) centroid, or drop \(s(e.parameter))")
            case .associationMethod(let name):
                return ("applies only to \(s(.method)) \(name)", "Add \(s(.method)) \(name), or drop \(s(e.parameter))")
            case .linearMixedModels:
                return ("logistic mixed models (GLMMs) are not implemented: random-effects terms need a linear model of a numeric outcome",
                        "Drop the random-effects terms and add \(s(.cluster)) COLUMN for cluster-robust standard errors")
            }
        case .missingAlternative(let other):
            return ("or \(s(other)) is needed: say what to compare with", "Give \(s(e.parameter)) (a metadata column) or \(s(other)) (a second matrix)")
        case .listedTwice(let item):
            return ("'\(item)' is listed twice", "Name each once")
        case .exceedsLimit(let value, let limit):
            return ("\(value) is above the documented limit of \(limit)", "Moodbiome refuses sizes it cannot handle in memory and time; use a smaller value")
        }
    }

    /// The fix shared by every "no such column" error: the closest name, if
    /// it looks like a typo, and the columns there are.
    static func columnFix(_ name: String, available: [String]) -> String {
        (closestName(to: name, among: available).map { "Did you mean '\($0)'? " } ?? "") + "Columns are: " + available.joined(separator: ", ")
    }

    /// A data error's problem and fix.
    public static func dataProblem(_ kind: DataError.Kind, spelling: ParameterSpelling) -> (problem: String, fix: String?) {
        let s = spelling.spell
        switch kind {
        case .missingColumn(let name, let purpose, let available):
            let problem: String
            switch purpose {
            case .formula: problem = "the formula uses a column '\(name)' that the table does not have"
            case .metadata: problem = "the metadata has no column '\(name)'"
            case .groupBy: problem = "no column '\(name)' to group by"
            case .describe: problem = "no column '\(name)' to describe"
            case .figureGroups: problem = "no column '\(name)' to group the figures by"
            case .strata: problem = "no column '\(name)' to take the permutation strata from"
            case .dispersionGroups: problem = "no column '\(name)' to take the groups from"
            case .mantelVariable: problem = "no column '\(name)' for the Mantel test"
            case .cluster: problem = "no column '\(name)' to take the clusters from"
            }
            return (problem, columnFix(name, available: available))
        case .noCompleteRows(let variables):
            return ("no row has every variable of the model present (\(variables.joined(separator: ", ")))", "Check the missing values in these columns")
        case .notANumber(let value, let column, let id):
            return ("'\(value)' in column '\(column)' (ID '\(id)') is not a number, but the model uses '\(column)' as a number",
                    "Correct the value, mark it missing (NA), or wrap the column in C(\(column)) to treat it as categorical")
        case .strayText(let value, let column, let id):
            return ("'\(value)' in column '\(column)' (ID '\(id)') is not a number, but the column's other values are numbers",
                    "Correct the value or mark it missing (NA); if '\(column)' is categorical, write C(\(column)) or declare it in a #q2:types row")
        case .domain(let problem, let id):
            return (domain(problem) + " (ID '\(id)')", "Use a transformation defined for every value, or mark the value missing (NA)")
        case .binaryOutcomeLevels(let column, let levels, let rows):
            return (levels.count < 2
                        ? "the outcome '\(column)' has one level ('\(levels.first ?? "")') among the \(rows) rows used"
                        : "a binary outcome needs two values, but '\(column)' has \(levels.count): \(levels.prefix(6).joined(separator: ", "))",
                    "Give a 0/1 or two-valued outcome (or use \(s(.outcomeCutoff)) to dichotomise a score)")
        case .binaryOutcomeValue(let expression, let value, let id):
            return ("the binary outcome \(expression) is \(value) for ID '\(id)'; it must be 0 or 1",
                    "Code the outcome 0/1, or dichotomise a score with \(s(.outcomeCutoff))")
        case .binaryOutcomeOneLevel(let expression, let value, let rows):
            return ("the outcome \(expression) is \(Int(value)) for all \(rows) rows used: it has one level", "A logistic model needs both outcomes present")
        case .textOutcome(let column, let value, let id):
            return ("the outcome '\(column)' holds text ('\(value)' for ID '\(id)'); a linear model needs a numeric outcome",
                    "Model a numeric column, or a two-valued one with \(s(.family)) binomial")
        case .constantOutcome(let expression, let value, let rows):
            return ("the outcome \(expression) is constant (\(value)) over the \(rows) rows used", "A regression needs an outcome that varies")
        case .missingReference(let level, let column, let levels):
            return ("the reference level '\(level)' does not occur in column '\(column)' among the rows used", "Levels are: " + levels.joined(separator: ", "))
        case .constantFactor(let column, let level, let rows):
            return ("constant predictor: '\(column)' has one level ('\(level)') among the \(rows) rows used", "Drop it from the model, or check the exclusions")
        case .constantPredictor(let label, let value, let rows):
            return ("constant predictor: \(label) is \(value) in all \(rows) rows used", "Drop it from the model: a constant cannot be separated from the intercept")
        case .noResidualDegreesOfFreedom(let rank, let rows):
            return ("the model has \(rank) estimable coefficients but only \(rows) complete rows: no residual degrees of freedom", "Use fewer predictors or more samples")
        case .coefficientNameClash(let name):
            return (name == "Intercept" ? "a column named 'Intercept' would share its coefficient's name with the model's intercept"
                                        : "two coefficients of the model would both be named '\(name)'",
                    "Rename the column (for example \(name)_value)")
        case .tooFewClusters(let column, let count):
            return ("column '\(column)' has \(count) cluster\(count == 1 ? "" : "s") among the rows used; cluster-robust errors need at least 2 (and are unreliable with few)",
                    "Cluster by a column that groups the rows (participant, family, site)")
        case .tooFewGroups(let group, let levels):
            return ("the grouping '\(group)' has \(levels) group\(levels == 1 ? "" : "s") among the rows used; a random effect needs at least 2 (and is poorly estimated with fewer than 5 or 6)",
                    "Group by a column that repeats across rows (participant, family, site), or fit the model without this random term")
        case .tooManyRandomEffects(let term, let effects, let rows):
            return ("the random term \(term) has \(effects) random effects for \(rows) rows: its variance cannot be separated from the residual variance",
                    "Use a random intercept only, or a grouping with repeated observations per group")
        case .tooManyVarianceParameters(let count, let limit):
            return ("the random effects have \(count) variance and correlation parameters, more than the \(limit) Moodbiome estimates (a term (1 + a + b + c + d + e | g) has 21); each is a dimension of the optimiser's search, and the degrees of freedom cost about \(count)² model fits more",
                    "Use fewer random slopes, or uncorrelated ones only where the design needs them (keep it maximal where justified, Barr et al. 2013, but estimable)")
        case .mixedModelTooLarge(let columns, let limit):
            return ("the random effects after the largest grouping need a dense system of \(columns) columns, more than the \(limit) Moodbiome solves",
                    "Use fewer crossed groupings, or coarser ones (the grouping with the most groups is solved group by group and has no limit)")
        case .mixedModelNotPositiveDefinite:
            return ("the mixed model's penalised least-squares system is not positive definite at the estimates (numerically singular fixed or random effects)",
                    "Check for predictors that are nearly constant within the data or nearly collinear, and rescale predictors with very large values")
        case .tooManyGroups(let column, let levels, let limit):
            return ("column '\(column)' has \(levels) different values; a cohort table compares at most \(limit) groups",
                    "Group by a coarser column (a band, a site), or describe without grouping")
        case .tooManyColumns(let columns, let rows):
            return ("the model would have at least \(columns) coefficients (counting each categorical level) but only \(rows) complete rows, so nothing is left to estimate the error",
                    "A text column with an ID-like value per row is probably not a covariate; drop it, or use a coarser grouping")
        case .derivedColumnClash(let name):
            return ("the dichotomised outcome would be written as a column '\(name)', but the metadata already has one",
                    "Rename that column, or choose another cutoff")
        case .metricNameClash(let label):
            return ("the metadata already has a column named '\(label)', the name of a diversity metric", "Rename that metadata column")
        case .noSharedIDs(let sampleIDs, let samplesFile, let metadataIDs, let idColumn, let matching):
            let problem = "no sample ID is in both \(samplesFile) and the metadata (\(samplesFile): \(list(sampleIDs)); metadata '\(idColumn)': \(list(metadataIDs)))"
            if let matching {
                return (problem, "The metadata column '\(matching)' holds the table's sample IDs: name it with \(s(.idColumn)) \(matching)")
            }
            return (problem, "Check that the IDs are spelled the same way, and name the metadata's ID column with \(s(.idColumn))")
        case .cutoffNotANumber(let value, let column, let id):
            return ("'\(value)' in column '\(column)' (ID '\(id)') is not a number, so \(s(.outcomeCutoff)) cannot apply", "Correct the value or mark it missing (NA)")
        case .samplesWithoutMetadata(let ids, let count, let samplesFile):
            return ("\(count) sample\(count == 1 ? "" : "s") of \(samplesFile) \(count == 1 ? "has" : "have") no metadata row (\(list(ids)))",
                    "Add a row for each sample, or check that the IDs are spelled the same way (\(s(.idColumn)) names the metadata's ID column)")
        }
    }

    static func domain(_ problem: DataError.DomainProblem) -> String {
        switch problem {
        case .divisionByZero(let e): return "division by zero in \(e)"
        case .notFinite(let e): return "\(e) is not a finite number here"
        case .constantScale(let e): return "scale(\(e)) is undefined: the values are constant"
        case .needsPositive(let f, let a, let v): return "\(f)(\(a)) needs positive values, found \(v)"
        case .needsAboveMinusOne(let a, let v): return "log1p(\(a)) needs values above -1, found \(v)"
        case .needsNonNegative(let a, let v): return "sqrt(\(a)) needs non-negative values, found \(v)"
        case .overflows(let a, let v): return "exp(\(a)) overflows for \(v)"
        }
    }

    /// A formula error: the formula, the problem, a caret under the place
    /// when there is one, and the fix.
    public static func formula(_ e: FormulaError) -> String {
        let functions = Expression.elementwiseFunctions.union(Expression.columnFunctions).sorted().joined(separator: ", ")
        let (problem, fix): (String, String?)
        switch e.problem {
        case .noTilde: (problem, fix) = ("there is no '~' between the outcome and the predictors", "Write it as: outcome ~ predictor1 + predictor2")
        case .missingOutcome: (problem, fix) = ("the outcome is missing before '~'", nil)
        case .missingPredictors: (problem, fix) = ("the predictors are missing after '~'", "Write `~ 1` for an intercept-only model")
        case .responseInOneSided: (problem, fix) = ("the distance matrix is the response, so the formula has no left-hand side", "Write it as: ~ predictor1 + predictor2")
        case .unexpectedText: (problem, fix) = ("unexpected text here", nil)
        case .expected(let symbol): (problem, fix) = ("expected '\(symbol)' here", nil)
        case .notANumber(let text): (problem, fix) = ("'\(text)' is not a number", nil)
        case .unclosed(let c): (problem, fix) = ("unclosed \(c)", "Close the quoted name with a matching \(c)")
        case .unexpectedCharacter(let c):
            (problem, fix) = ("unexpected character '\(Escape.terminal(String(c)))'", "Put column names with unusual characters in backquotes: `my column`")
        case .numberAsTerm(let v): (problem, fix) = ("a number (\(v)) cannot be a term", "Use I(...) for arithmetic, e.g. I(age * 2)")
        case .expectedTerm: (problem, fix) = ("expected a column name, C(...), I(...) or a function here", nil)
        case .expectedColumn: (problem, fix) = ("expected a column name", nil)
        case .expectedReference: (problem, fix) = ("expected the reference level here", nil)
        case .expectedOperand: (problem, fix) = ("expected a number, a column name or '(' here", nil)
        case .quotedText(let text): (problem, fix) = ("\"\(text)\" is text; column names go in backquotes: `\(text)`", nil)
        case .unknownFunction(let name, let inExpression):
            (problem, fix) = ("unknown function '\(name)'", inExpression ? "Available inside expressions: " + functions : "Available: C, I, " + functions)
        case .categoricalExpression(let label): (problem, fix) = ("C() takes a column name, not an expression (\(label))", nil)
        case .tooDeep(let limit):
            (problem, fix) = ("parentheses, function calls or signs are nested more than \(limit) deep", "Simplify the formula")
        case .tooManyTerms(let count, let limit):
            (problem, fix) = ("the formula expands to \(count) or more terms, more than the \(limit) a model may have",
                              "Interact fewer variables: a*b*c*d alone is 15 terms")
        case .randomTermInInteraction:
            (problem, fix) = ("a random-effects term (… | group) cannot be part of an interaction",
                              "Add it as a term of its own: y ~ x * time + (1 + time | participant)")
        case .randomTermRemoved: (problem, fix) = ("a random-effects term cannot be removed with '-'", "Leave it out of the formula")
        case .randomTermNested: (problem, fix) = ("random-effects terms cannot be nested inside one another", "Nest groups with '/': (1 | site/participant)")
        case .expectedGroupingColumn:
            (problem, fix) = ("expected the grouping column after '|'", "Write (1 | participant), (1 + time | participant) or (1 | site/participant)")
        case .randomTermsNotAllowed:
            (problem, fix) = ("random-effects terms (… | group) are not available here",
                              "Mixed models are fitted by `moodbiome regress` and `moodbiome analyze --random` for continuous outcomes")
        case .covariateNotATerm:
            (problem, fix) = ("a covariate must be a column or a term over columns", "Give a column name or a term such as C(bristol_stool_type), log(bmi) or I(age^2)")
        case .onlyRandomTermsExpected:
            (problem, fix) = ("expected only random-effects terms", "Write e.g. (1 | participant) or (1 + months | participant); fixed terms go in the covariates")
        }
        let shown = e.formula.count > 200 ? String(e.formula.prefix(200)) + "…" : e.formula
        var text = "in formula \"\(shown)\": \(problem)"
        if let position = e.position, position <= 200 {
            text += "\n    \(shown)\n    " + String(repeating: " ", count: position) + "^"
        }
        if let fix { text += "\n" + fix }
        return text
    }

    /// `unknown metric 'shanon' (did you mean 'shannon'?)`, or for several
    /// `unknown metrics 'shanon' (did you mean 'shannon'?), 'simpsons' (did
    /// you mean 'simpson'?)` — every bad name at once, each with the
    /// closest known name when one is close enough to be a typo.
    public static func unknownNames(_ names: [String], kind: String, known: [String]) -> String {
        "unknown \(kind)\(names.count == 1 ? "" : "s") " + names.map { name in
            "'\(name)'" + (closestName(to: name, among: known).map { " (did you mean '\($0)'?)" } ?? "")
        }.joined(separator: ", ")
    }

    static func diversity(_ e: AlphaDiversityError, spelling: ParameterSpelling) -> String {
        let s = spelling.spell
        switch e {
        case .unknownMetrics(let names):
            return unknownNames(names, kind: "metric", known: AlphaMetric.all.map(\.name))
                + ". Run `moodbiome metrics` to list them (e.g. shannon, simpson, observed_features, chao1)"
        case .duplicateMetric(let name):
            return "metric '\(name)' is requested twice. Name each metric once"
        case .noMetrics:
            return "no metrics requested. Pass e.g. \(s(.metrics)) shannon,simpson,observed_features"
        case .needsCounts(let metrics, let file):
            return "\(file): \(metrics.joined(separator: ", ")) \(metrics.count == 1 ? "needs" : "need") integer counts, "
                + "but the table holds non-integer values (relative abundances?). These estimators are built on "
                + "singletons, doubletons or the number of individuals, which proportions do not carry. "
                + "Use the raw read counts, or frequency-based metrics (shannon, simpson, pielou_e, …)"
        case .rarefactionNeedsCounts(let file):
            return InputError(file: file, problem: "rarefaction subsamples reads, but the table holds non-integer values (relative abundances?)",
                              fix: "Rarefy the raw read counts, or drop \(s(.rarefy))").description
        case .noSamplesLeft(let file, let rarefied):
            return InputError(file: file, problem: "no samples left to report", fix: rarefied ? "Choose a lower \(s(.rarefy)) depth" : nil).description
        case .needsTree(let metrics):
            return "\(metrics.joined(separator: ", ")) \(metrics.count == 1 ? "needs" : "need") a phylogenetic tree of the table's features. "
                + "Give it with \(s(.tree)) (Newick, e.g. QIIME 2's rooted-tree exported as tree.nwk)"
        }
    }

    static func mediation(_ e: MediationError, spelling: ParameterSpelling) -> String {
        let s = spelling.spell
        func mean(_ suggestion: String?) -> String { suggestion.map { ". Did you mean '\($0)'?" } ?? "" }
        switch e {
        case .aliased(let model, let terms):
            return "mediation: in \(model), \(terms.joined(separator: ", ")) \(terms.count == 1 ? "is a linear combination" : "are linear combinations") of the other terms, "
                + "so the effects are not identified. Drop the redundant covariates"
        case .notNumeric(let name):
            return "mediation: '\(name)' must enter the models as one numeric column. Give a numeric column, or a two-level exposure"
        case .constantExposure(let name):
            return "\(s(.exposure)): '\(name)' takes one value in the rows used, so there is nothing to contrast. Choose an exposure that varies"
        case .exposureNotBinary(let name, let values):
            return "\(s(.exposure)): '\(name)' is numeric with \(values) distinct values, not two. Say which two values to contrast, "
                + "e.g. \(s(.exposureValues)) 0,1 (control, then treated)"
        case .exposureLevels(let name, let levels):
            return "\(s(.exposure)): '\(name)' has \(levels.count) levels (\(list(levels))); mediation contrasts two. "
                + "Recode it to two groups, or name the two to contrast with \(s(.exposureValues)) control,treated (rows in other groups are left out)"
        case .exposureValue(let value, let column, let levels):
            return "\(s(.exposureValues)): '\(value)' is not a value of '\(column)'" + (levels.isEmpty ? " (a number is needed)" : " (its levels: \(list(levels)))")
                + ". Give two values, control first"
        case .constantMediator(let name):
            return "\(s(.mediator)): '\(name)' does not vary in the rows used, so it cannot carry an effect. Choose another mediator"
        case .mediatorIsCovariate(let name):
            return "\(s(.mediator)): '\(name)' is also a covariate. A mediator lies on the path from exposure to outcome; adjusting for it removes what is measured. Drop it from \(s(.covariates))"
        case .mediatorIsModelled(let name):
            return "\(s(.mediator)): '\(name)' is the exposure or the outcome. Name a third variable"
        case .outcomeOneLevel(let name):
            return "\(s(.outcome)): '\(name)' has one value in the rows used, so a logistic model of it cannot be fitted. Choose an outcome with both values"
        case .unknownMediator(let name, let suggestion):
            return "\(s(.mediator)): '\(name)' is not an alpha-diversity metric, a metadata column, taxon:NAME of the count table or module:ID of the module table\(mean(suggestion))"
        case .noUsableDraws(let name):
            return "\(s(.mediator)): no bootstrap resample of the data could be fitted for '\(name)' (a term is constant in every resample). Use \(s(.method)) quasi-bayes, or fewer covariates"
        case .repeatedMeasures:
            return "\(s(.mediateBy)): mediation with random effects (several visits per participant) is not implemented: the effects here assume one row per participant. "
                + "Drop \(s(.random)), or take one visit per participant"
        case .unknownTaxon(let name, let suggestion):
            return "\(s(.mediator)): the count table has no feature '\(name)'\(mean(suggestion.map { "taxon:" + $0 }))"
        case .sensitivityNeedsLinear:
            return "\(s(.sensitivity)): the sensitivity analysis (Imai, Keele & Yamamoto 2010, as mediation's medsens) is implemented for a linear outcome model; drop \(s(.family)) binomial or \(s(.sensitivity))"
        case .sensitivityNeedsTwoLevels:
            return "\(s(.sensitivity)): the sensitivity analysis needs an exposure of two levels (coded 0/1), not a contrast of \(s(.exposureValues)) on a numeric exposure"
        case .unknownModule(let name, let suggestion):
            return "\(s(.mediator)): the module table has no module '\(name)'\(mean(suggestion.map { "module:" + $0 }))"
        case .moduleTableMissing(let name):
            return "\(s(.mediator)): '\(name)' needs the module table: give abundance.csv of `moodbiome modules` with \(s(.modules))"
        }
    }

    static func beta(_ e: BetaDiversityError, spelling: ParameterSpelling) -> String {
        let s = spelling.spell
        switch e {
        case .unknownMetrics(let names):
            let known = BetaMetricDefinition.registry.map(\.name)
            return unknownNames(names, kind: "beta-diversity metric", known: known) + ". Known: \(known.joined(separator: ", "))"
        case .needsTree(let name):
            return "\(name) needs a phylogenetic tree of the table's features. Give it with \(s(.tree)) (Newick)"
        case .zerosWithoutPseudocount(let file):
            return InputError(file: file, problem: "the table has zeros, and the log-ratio of a zero is undefined without a pseudocount",
                              fix: "Use \(s(.pseudocount)) 1 (the default), or robust_aitchison, which uses each pair's shared features only").description
        case .noSharedFeatures(let a, let b):
            return "robust_aitchison: samples '\(a)' and '\(b)' share no feature, so their distance is undefined. "
                + "Filter out very sparse samples, or use aitchison (with a pseudocount)"
        case .tooLarge(let samples, let features):
            return "the table (\(samples) samples × \(features) features) is too large for this metric's dense computation"
        case .tooFewSamples(let file):
            return InputError(file: file, problem: "fewer than two samples with reads: there is no pair to compare").description
        }
    }

    static func answerRule(_ rule: AnswerRule) -> String {
        switch rule {
        case .range(let item, let scale, let maximum): return "item \(item) of \(scale) takes a whole number from 0 to \(maximum)"
        case .lettered(let item, let scale): return "item \(item) of \(scale) takes 0, 1a, 1b, 2a, 2b, 3a, 3b"
        case .letteredZero: return "0 has no a/b form; answers are 0, 1a, 1b, 2a, 2b, 3a, 3b"
        }
    }

    static func scoring(_ e: ScoringError, spelling: ParameterSpelling) -> String {
        let s = spelling.spell
        switch e {
        case .itemCount(let scale, let expected, let given):
            return "\(s(.items)): \(scale) has \(expected) items but \(given) columns were named. Name the \(expected) item columns in item order"
        case .noItems(_, let itemCount):
            return "\(s(.items)): no item columns given. Pass \(s(.items)) col1,col2,… or \(s(.prefix)) (columns PREFIX1 … PREFIX\(itemCount))"
        case .missingItemColumns(let columns, let available, let location):
            return InputError(at: location, problem: "the item column\(columns.count == 1 ? "" : "s") \(columns.joined(separator: ", ")) \(columns.count == 1 ? "is" : "are") not in the table",
                              fix: "Columns are: " + available.joined(separator: ", ")).description
        case .invalidAnswer(let participant, let answer, let column, let rule, let location):
            return InputError(at: location, problem: "participant '\(participant)' answered '\(answer)' to \(column); \(answerRule(rule))",
                              fix: "Correct the answer, mark it missing (NA), or pass \(s(.invalid)) as-missing to count such answers as missing").description
        case .scoreColumnExists(let name, let location):
            return InputError(at: location, problem: "the table already has a column '\(name)'",
                              fix: "Rename it, or choose another prefix with \(s(.name))").description
        case .unknownScale(let name, let known):
            return "\(s(.scale)): unknown instrument '\(name)'. Known: " + known.joined(separator: ", ") + " (see `moodbiome scales`)"
        case .unknownBand(let scale, let band, let bands):
            return "\(s(.outcomeBand)): \(scale) has no band '\(band)'. Bands: " + bands.joined(separator: ", ") + " (add + for 'or above')"
        }
    }

    /// A multiple-testing procedure's name in prose.
    public static func adjustmentName(_ adjustment: PValueAdjustment) -> String {
        switch adjustment {
        case .benjaminiHochberg: "Benjamini–Hochberg false-discovery-rate"
        case .holm: "Holm"
        case .bonferroni: "Bonferroni"
        }
    }

    /// A system library that cannot be loaded: what it is for, the loader's
    /// reason, and the packages that install it.
    public static func library(_ e: SystemLibrary.Unavailable) -> String {
        let what: String
        switch e.purpose {
        case .linearAlgebra: what = "this needs OpenBLAS and LAPACKE (linear algebra)"
        case .optimisation: what = "mixed models need NLopt (the BOBYQA optimiser)"
        case .hdf5: what = "BIOM 2.1 tables need HDF5 and libdeflate"
        case .zip: what = "QIIME 2 artifacts (.qza) need libzip"
        case .digest: what = "provenance records need OpenSSL's libcrypto (SHA-256)"
        case .figureExport: what = "PDF and PNG figures need librsvg, cairo and fontconfig"
        }
        return "\(what), which cannot be loaded: \(e.reason). Install it: sudo apt install \(e.purpose.packages.joined(separator: " ")) (Debian and Ubuntu), or run scripts/setup.sh"
    }

    /// A model note as a sentence.
    public static func note(_ note: ModelNote) -> String {
        switch note {
        case .rowsExcluded(let dropped, let total, let exclusions, let ids):
            return "\(exclusionSummary(dropped: dropped, total: total, exclusions: exclusions)); IDs: \(list(ids))"
        case .aliased(let names):
            return "aliased (a linear combination of the other columns, not estimable; reported as NA): \(names.joined(separator: ", "))"
        case .leverageOne(let type):
            return "some observations have leverage 1, so \(type.rawValue.uppercased()) standard errors are undefined (NA/Inf); use hc0 or hc1"
        case .notConverged(let iterations):
            return "the fit did not converge in \(iterations) iterations; the estimates are unreliable"
        case .separation(let s, let observations):
            let kind = s.complete ? "complete separation" : "quasi-complete separation"
            return "\(kind): \(s.observationsFittedExactly) of \(observations) observations are fitted with probability 0 or 1, so the maximum-likelihood estimates do not exist"
                + (s.coefficients.isEmpty ? "" : " for \(s.coefficients.joined(separator: ", ")) (they diverge; their SEs and p-values are meaningless)")
                + ". Consider removing or merging these terms, or a penalised (Firth) logistic regression"
        case .outcomeCoding(let c):
            return "outcome coding: \(c.column) = \(c.event) coded 1, \(c.reference) coded 0"
        case .fewEvents(let events, let parameters):
            return "few events: \(events) of the rarer outcome for \(parameters) coefficients (\(NumberStyle.significantDigits(2).format(Double(events) / Double(Swift.max(parameters, 1)))) per coefficient, below the usual 10): the odds ratios are biased away from 1 and the intervals too narrow; use fewer covariates"
        case .singularFit:
            return "boundary (singular) fit: a random-effect variance is estimated as zero or a correlation as ±1; simplify the random-effects terms (lme4's isSingular)"
        case .gradientTooLarge(let gradient, let tolerance, let component):
            if !gradient.isFinite {
                return "the model may not have converged: the Hessian of the objective at the optimum is not positive definite (unable to evaluate the scaled gradient)"
            }
            return "the model may not have converged: max|grad| = \(NumberStyle.significantDigits(4).format(gradient)) (tolerance \(NumberStyle.roundTrip.format(tolerance)), component \(component + 1)), as lme4's convergence check reports it; rescale predictors or simplify the random effects"
        case .optimizerLimit(let evaluations):
            return "the optimiser stopped at its limit of \(evaluations) evaluations before converging; the estimates are unreliable"
        case .varianceHessian(let negative, let zero):
            var parts = [String]()
            if negative > 0 { parts.append("\(negative) negative") }
            if zero > 0 { parts.append("\(zero) near-zero") }
            return "the Hessian of the variance parameters has \(parts.joined(separator: " and ")) eigenvalue\(negative + zero == 1 ? "" : "s"): Satterthwaite's degrees of freedom may be unreliable (as lmerTest warns)"
        case .profileUnconfirmed(let parameters):
            return "the profile interval of \(parameters.joined(separator: ", ")) could not be confirmed (minimised afresh, the profile at its end is not at the χ² cut-off), so it is written as NA; simplify the random-effects terms or report the Wald interval"
        }
    }

    /// "3 of 300 rows left out for missing values (missing: bmi 2, age 1)".
    public static func exclusionSummary(dropped: Int, total: Int, exclusions: [DesignMatrix.Exclusion]) -> String {
        let reasons = exclusions.map { "\($0.variable) \($0.rows)" }.joined(separator: ", ")
        return "\(dropped) of \(total) rows left out for missing values (missing: \(reasons))"
    }

    /// The design's exclusion summary, or nil when no row was left out.
    public static func exclusionSummary(_ design: DesignMatrix) -> String? {
        design.nDropped > 0 ? exclusionSummary(dropped: design.nDropped, total: design.nDropped + design.ids.count, exclusions: design.exclusions) : nil
    }

    /// The warning for a table whose samples, as read, look like features.
    public static func looksTransposed(path: String, doubt: OrientationDoubt, samplesInRows: Bool, spelling: ParameterSpelling) -> String {
        let side = samplesInRows ? "rows" : "columns", other = samplesInRows ? "columns" : "rows"
        var reasons = [String]()
        if doubt.names { reasons.append("their IDs look like taxon names or feature IDs (\(list(doubt.examples)), …) and the \(other)' like sample IDs") }
        if doubt.totals {
            reasons.append("their totals spread as features' do, over \(NumberPolicy.value(doubt.sampleSpread, digits: 2)) orders of magnitude "
                           + "(10th to 90th percentile) against \(NumberPolicy.value(doubt.featureSpread, digits: 2)) for the \(other)' totals, "
                           + "where samples' sequencing depths usually lie within one")
        }
        return "warning: \(path): the \(side) were read as the samples, but " + reasons.joined(separator: "; and ")
            + ". If the samples are the \(other), pass \(spelling.spell(.samplesIn)) \(other) (\(spelling.spell(.samplesIn)) \(side) keeps this reading and silences this warning)"
    }

    /// The notes a diversity computation must report (skipped metrics, the
    /// drawn seed, dropped, empty and undefined samples), in order.

    /// Which side of the count table holds the samples, when the metadata decided it.
    public static func orientationChosen(_ orientation: SampleOrientation, rowsMatched: Int, columnsMatched: Int,
                                         path: String, spelling: ParameterSpelling) -> String {
        let side = orientation == .columns ? "columns (its header's IDs)" : "rows (its first column's IDs)"
        let doubtful = Swift.min(rowsMatched, columnsMatched) > 0
        return (doubtful ? "warning: " : "note: ") + "\(path): samples are the table's \(side): \(Swift.max(rowsMatched, columnsMatched)) of them are metadata IDs, "
            + "against \(Swift.min(rowsMatched, columnsMatched)) the other way (\(spelling.spell(.samplesIn)) rows|columns overrides this)"
    }

    public static func diversityNotes(_ result: AlphaDiversityResult, tablePath: String, skipped: [RequestedMetric],
                                      rarefaction: Rarefaction?, seedDrawn: Bool, dropEmpty: Bool,
                                      spelling: ParameterSpelling) -> [String] {
        let s = spelling.spell
        var out = [String]()
        let countBased = skipped.filter { $0.metric.requiresCounts }
        if !countBased.isEmpty {
            out.append("note: \(tablePath) holds non-integer values, so the count-based metrics were skipped: \(countBased.map(\.label).joined(separator: ", "))")
        }
        let phylogenetic = skipped.filter { $0.metric.needsTree && !$0.metric.requiresCounts }
        if !phylogenetic.isEmpty {
            out.append("note: \(phylogenetic.map(\.label).joined(separator: ", ")) skipped: \(plural(phylogenetic.count, "it needs", "they need")) a tree (\(s(.tree)))")
        }
        if let rarefaction, seedDrawn {
            out.append("note: rarefaction seed \(rarefaction.seed) (pass \(s(.seed)) \(rarefaction.seed) to repeat this run exactly)")
        }
        if let rarefaction, !result.belowDepth.isEmpty {
            out.append("note: \(result.belowDepth.count) sample\(plural(result.belowDepth.count, "", "s")) below the rarefaction depth \(rarefaction.depth) dropped: \(list(result.belowDepth))")
        }
        if !result.emptySamples.isEmpty {
            let what = dropEmpty ? "dropped (\(s(.dropEmpty)))" : "written as NA (\(s(.dropEmpty)) drops them)"
            out.append("note: \(result.emptySamples.count) sample\(plural(result.emptySamples.count, " has", "s have")) no reads at all, \(what): \(list(result.emptySamples))")
        }
        for (label, samples) in result.undefined {
            let reason = result.metrics.first { $0.label == label }?.metric.definition.undefinedWhen.map { " — " + $0 } ?? ""
            out.append("note: \(label) is undefined (NA) for \(samples.count) sample\(plural(samples.count, "", "s")): \(list(samples))\(reason)")
        }
        return out
    }
}
