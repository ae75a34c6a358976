import ArgumentParser
import FoundationEssentials
import MoodbiomeCore
import MoodbiomeReport
import MoodbiomeStudy

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a gut-microbiome and mood cohort whose truth is known.",
        discussion: """
        Writes counts.csv (genus counts, Dirichlet-multinomial, realistic depths and sparsity), \
        metadata.csv (age, sex, BMI, antidepressant use, Bristol stool type, PHQ-9 items and score), \
        truth.json (every parameter, and the true coefficients of the analysis model) and a README \
        saying plainly that the data are simulated. The same seed gives the same bytes. Limits: \
        at most 1,000,000 samples, 100,000 genera and 10,000,000 reads per sample. With --visits K > 1 \
        the cohort is longitudinal: K samples per participant, 3 months apart, with a random intercept \
        and a random slope in time, whose true values are under "mixed_model" in truth.json.
        """
    )

    @Option(help: "Number of participants (one stool sample each), 10 to 1,000,000. (default: 300)", transform: plainInteger)
    var participants = 300

    @Option(help: "Visits (stool sample and PHQ-9) per participant, 1 to 100; more than 1 makes a longitudinal cohort. (default: 1)", transform: plainInteger)
    var visits = 1

    @Option(help: "Number of genera (at least 21: the model names 20). (default: 200)", transform: plainInteger)
    var taxa = 200

    @Option(help: "Seed of Moodbiome's random generator (xoshiro256**). (default: 7)", transform: plainSeed)
    var seed: UInt64 = 7

    @Option(name: .customLong("diversity-effect"), help: "True effect of Shannon entropy on PHQ-9, in points per nat.")
    var diversityEffect = -1.0

    @Option(name: .customLong("diet-effect"), help: "A high-fibre diet (column diet, half the participants) raising the diversity propensity by this many SDs: an exposure acting on PHQ-9 through Shannon diversity, with the sample's true ACME in truth.json. (default: 0, no diet)")
    var dietEffect = 0.0

    @Option(name: .customLong("diet-direct-effect"), help: "The diet's direct effect on PHQ-9, in points (the ADE). (default: 0)")
    var dietDirectEffect = 0.0

    @Option(name: .customLong("min-depth"), help: "Smallest sequencing depth (reads), at least 100.")
    var minDepth = 5_000

    @Option(name: .customLong("max-depth"), help: "Largest sequencing depth (reads), at most 10,000,000.")
    var maxDepth = 100_000

    @OptionGroup var directory: DirectoryOutputOptions
    var outDir: String { directory.outDir }
    var force: Bool { directory.force }

    var job: SimulationRun {
        var job = SimulationRun(outputDirectory: outDir)
        job.simulation.participants = participants
        job.simulation.taxa = taxa
        job.simulation.visits = visits
        job.simulation.seed = seed
        job.simulation.diversityEffect = diversityEffect
        job.simulation.dietEffect = dietEffect
        job.simulation.dietDirectEffect = dietDirectEffect
        job.simulation.minimumDepth = minDepth
        job.simulation.maximumDepth = maxDepth
        job.overwrite = force
        return job
    }

    func validate() throws {
        try validating { try job.simulation.validate() }
    }

    func run() throws { try execute { job } }
}
