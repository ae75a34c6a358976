import ArgumentParser
import FoundationEssentials
import MoodbiomeCore
import MoodbiomeStudy

struct OrdinateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ordinate",
        abstract: "Principal coordinates (PCoA) of a distance matrix, as scikit-bio's pcoa.",
        discussion: """
        Writes sample_id, PC1, PC2, … (-o), and with --eigenvalues-output the axes' eigenvalues and \
        proportions explained: each eigenvalue over the sum of the non-negative eigenvalues, with or \
        without --dimensions, as analyze reports them. Negative eigenvalues (non-Euclidean distances \
        such as Bray–Curtis) are kept in the eigenvalues and noted; their axes have coordinates 0, as in scikit-bio. \
        --figure draws PC1 against PC2 (SVG, or PDF/PNG by extension), coloured by a metadata column with --color-by \
        (groups for text or up to five distinct numbers, else a colour scale), with 95% group \
        ellipses on request.

        --method fsvd finds the largest axes of a matrix too large to hold (an .h5 matrix is read \
        block by block; memory is two n × 8·(dimensions + max(dimensions, 10)) blocks of vectors): randomized block Krylov \
        iteration, as scikit-bio's pcoa(method="fsvd") but iterated until every axis' residual is \
        below 1e-11 of the largest eigenvalue, so eigenvalues and axes agree with the exact method's \
        to 1e-6 or better. Its proportions explained are of trace(F), the sum of all eigenvalues \
        (scikit-bio's fsvd rule; the same share for a Euclidean distance). \
        An output ending in .h5 is written in unifrac-binaries' layout (order, pcoa_method, \
        pcoa_eigvals, pcoa_samples, pcoa_proportion_explained), which unifrac.h5pcoa reads.
        """
    )

    @Argument(help: "The distance matrix (square TSV/CSV, or HDF5 .h5).")
    var matrix: String

    @Option(help: "Number of axes (default: all for eigh, 10 for fsvd; use e.g. 10 for a large matrix — only those are computed).", transform: plainInteger)
    var dimensions: Int?

    @Option(help: ArgumentHelp("eigh (exact, the matrix in memory; default) or fsvd (randomized, the matrix read block by block).", valueName: "method"))
    var method: PrincipalCoordinates.Method = .eigh

    @Option(name: .customLong("eigenvalues-output"), help: ArgumentHelp("Write axis, eigenvalue, proportion_explained here.", valueName: "file"))
    var eigenvaluesOutput: String?

    @Option(help: ArgumentHelp("Draw PC1 × PC2 to this file: SVG, or PDF or PNG by its extension (.pdf, .png).", valueName: "file.svg"))
    var figure: String?

    @Option(help: ArgumentHelp("Resolution of a PNG --figure, in dots per inch (72–1200; default 300).", valueName: "dpi"), transform: plainInteger)
    var dpi: Int?

    @Option(help: ArgumentHelp("Metadata for --color-by (CSV/TSV).", valueName: "file"))
    var metadata: String?

    @OptionGroup var ids: MetadataIDOption

    @Option(name: .customLong("color-by"), help: ArgumentHelp("Colour the figure's points by this metadata column.", valueName: "column"))
    var colorBy: String?

    @Flag(help: "Draw a 95% ellipse around each group of --color-by (groups of 10 samples or more; the caption names the others).")
    var ellipses = false

    @Option(help: ArgumentHelp("The distance the matrix holds (e.g. braycurtis, unweighted_unifrac), named in the --figure's title (a matrix file does not record it).", valueName: "name"))
    var metric: String?

    @OptionGroup var output: OutputOptions

    var job: OrdinationRun {
        var job = OrdinationRun(matrixPath: matrix)
        job.dimensions = dimensions
        job.method = method
        job.output = output.destination
        job.eigenvaluesPath = eigenvaluesOutput
        job.figurePath = figure
        job.figureDPI = dpi
        job.metadataPath = metadata
        job.idColumn = ids.idColumn
        job.colorBy = colorBy
        job.ellipses = ellipses
        job.metricName = metric
        return job
    }

    func validate() throws { try validating { try job.validate() } }

    func run() throws {
        try execute { job }
    }
}

struct PermanovaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permanova",
        abstract: "PERMANOVA of a distance matrix on metadata, as vegan's adonis2.",
        discussion: """
        The formula is one-sided, `~ phq9 + age + C(sex)` (regress's grammar: factors, interactions, \
        transformations). --by terms (default) tests terms sequentially in formula order, margin \
        each term given all others (terms inside an interaction are not tested), none the whole model. \
        Output: term, df, sum_of_squares, r_squared, f_statistic, p_value, then Residual and Total. \
        p = (permutations with F ≥ observed + 1) / (permutations + 1). Samples with a missing value \
        in a variable, or missing from either file, are left out and listed on stderr.

        By stripes: given a distance stripe (beta --stripes K/N --partial part-K.h5) as the matrix, \
        --partial perm-K.h5 writes that stripe's share of every permutation's sums of squares \
        (--seed required, the same for every stripe); `moodbiome merge-partial perm-*.h5 -o \
        permanova.csv` adds the shares and writes the table — the same for any number of stripes, \
        without the n × n matrix in memory. On one machine, --streamed does the same in one process: \
        the whole matrix (best an .h5 file) is read block by block and each block's share added as \
        it comes, so memory is a block instead of three n × n matrices; F equals the in-memory \
        test's to rounding, the p-values are the same.
        """
    )

    @OptionGroup var data: DistanceMetadataOptions

    @Option(help: "One-sided model formula, e.g. \"~ phq9 + age + sex\".")
    var formula: String

    @Option(help: ArgumentHelp("With a distance stripe as the matrix: write its PERMANOVA share here (.h5), for merge-partial.", valueName: "file"))
    var partial: String?

    @Flag(help: "Read the matrix block by block (for a matrix larger than memory); the same test.")
    var streamed = false

    @Option(help: ArgumentHelp("terms (sequential), margin or none (whole model).", valueName: "split"))
    var by = Permanova.Split.terms

    @Option(help: ArgumentHelp("Reference level of a categorical column, as column=level (repeatable).", valueName: "column=level"))
    var reference: [String] = []

    @OptionGroup var permutation: PermutationOptions
    @OptionGroup var output: OutputOptions

    var job: PermanovaRun {
        get throws {
            var job = PermanovaRun(input: data.input, formula: formula)
            job.split = by
            job.permutation = permutation.settings
            job.references = try RegressionRun.parseReferences(reference)
            job.output = output.destination
            job.partialPath = partial
            job.streamed = streamed
            return job
        }
    }

    func validate() throws { try validating { try job.validate() } }

    func run() throws {
        try execute { try job }
    }
}

struct BetadisperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "betadisper",
        abstract: "Compare the groups' dispersions (PERMDISP), as vegan's betadisper.",
        discussion: """
        Each sample's distance to its group's spatial median (--type median, default) or centroid \
        in principal coordinates, then the ANOVA F test (f_statistic, df1, df2, p_value, as vegan's \
        anova()) and a permutation test of it (p_permutation, as permutest()). \
        --distances-output writes sample_id, group, distance. --type centroid --streamed reads the \
        matrix block by block (for a matrix larger than memory): distances to centroids come from \
        the distances alone (Gower's identity), equal to the in-memory ones to about 1e-8.
        """
    )

    @OptionGroup var data: DistanceMetadataOptions

    @Option(help: ArgumentHelp("The metadata column holding the groups.", valueName: "column"))
    var group: String

    @Option(help: ArgumentHelp("median (spatial median, vegan's default) or centroid.", valueName: "type"))
    var type = Dispersion.Centre.median

    @Option(name: .customLong("distances-output"), help: ArgumentHelp("Write each sample's distance to its group centre here.", valueName: "file"))
    var distancesOutput: String?

    @Flag(help: "With --type centroid: read the matrix block by block (for a matrix larger than memory).")
    var streamed = false

    @OptionGroup var permutation: PermutationOptions
    @OptionGroup var output: OutputOptions

    var job: DispersionRun {
        var job = DispersionRun(input: data.input, group: group)
        job.centre = type
        job.permutation = permutation.settings
        job.output = output.destination
        job.distancesPath = distancesOutput
        job.streamed = streamed
        return job
    }

    func validate() throws { try validating { try job.validate() } }

    func run() throws {
        try execute { job }
    }
}

struct MantelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mantel",
        abstract: "Mantel test of a distance matrix against a metadata variable or a second matrix, as vegan's mantel.",
        discussion: """
        The statistic is the Pearson (or Spearman) correlation of the matrices' lower triangles; \
        a --variable enters as its distances |x_i − x_j|. The p-value is one-sided (upper tail), \
        by permuting the first matrix's samples. Output: statistic, p_value, permutations, \
        method, samples.
        """
    )

    @Argument(help: "The distance matrix (square TSV/CSV).")
    var matrix: String

    @Option(help: ArgumentHelp("Metadata holding --variable (and --strata).", valueName: "file"))
    var metadata: String?

    @OptionGroup var ids: MetadataIDOption

    @Option(help: ArgumentHelp("A numeric metadata column, e.g. phq9.", valueName: "column"))
    var variable: String?

    @Option(help: ArgumentHelp("A second distance matrix instead of --variable.", valueName: "file"))
    var with: String?

    @Option(help: ArgumentHelp("pearson or spearman.", valueName: "method"))
    var method = MantelTest.Method.pearson

    @OptionGroup var permutation: PermutationOptions
    @OptionGroup var output: OutputOptions

    var job: MantelRun {
        var job = MantelRun(matrixPath: matrix)
        job.metadataPath = metadata
        job.idColumn = ids.idColumn
        job.variable = variable
        job.secondMatrixPath = with
        job.method = method
        job.permutation = permutation.settings
        job.output = output.destination
        return job
    }

    func validate() throws { try validating { try job.validate() } }

    func run() throws {
        try execute { job }
    }
}
