/// The instruments Moodbiome scores, one definition each.
extension MoodScale {
    /// All instruments, in the order `moodbiome scales` lists them.
    public static let all: [MoodScale] = [.phq9, .phq8, .bdi2, .hamd17, .hamd17Zimmerman, .madrs, .hadsDepression,
                                          .hadsAnxiety, .cesd, .gad7, .pss10]

    /// The instrument with this command-line name.
    public static func named(_ id: String) -> MoodScale? {
        let key = id.lowercased().replacing("_", with: "-")
        return all.first { $0.id == key } ?? aliases[key]
    }

    static let aliases: [String: MoodScale] = [
        "phq-9": .phq9, "phq-8": .phq8, "bdi-ii": .bdi2, "bdi": .bdi2, "hamd": .hamd17, "ham-d": .hamd17,
        "ham-d17": .hamd17, "hamd17-classic": .hamd17, "hadsd": .hadsDepression, "hadsa": .hadsAnxiety,
        "ces-d": .cesd, "gad-7": .gad7, "pss": .pss10, "pss-10": .pss10,
    ]

    static let phqBands = [
        SeverityBand(name: "minimal", lower: 0, upper: 4), SeverityBand(name: "mild", lower: 5, upper: 9),
        SeverityBand(name: "moderate", lower: 10, upper: 14), SeverityBand(name: "moderately severe", lower: 15, upper: 19),
    ]

    /// PHQ-9: 9 items scored 0–3, total 0–27. Bands 0–4 minimal, 5–9 mild,
    /// 10–14 moderate, 15–19 moderately severe, 20–27 severe. Scored when at
    /// most 2 items are missing, each missing item replaced by the mean of
    /// the answered items.
    /// Kroenke K, Spitzer RL, Williams JBW (2001) J Gen Intern Med 16:606–613;
    /// missing items: Arrieta J et al. (2017) J Clin Epidemiol 83:66–72.
    public static let phq9 = MoodScale(
        id: "phq9", name: "Patient Health Questionnaire-9 (PHQ-9)", construct: "depression",
        itemMaximum: Array(repeating: 3, count: 9), reversedItems: [], letteredItems: [],
        bands: phqBands + [SeverityBand(name: "severe", lower: 20, upper: 27)], maxMissing: 2,
        source: "Kroenke, Spitzer & Williams 2001 (J Gen Intern Med 16:606); missing items: Arrieta et al. 2017 (J Clin Epidemiol 83:66)")

    /// PHQ-8: PHQ-9 without item 9 (suicidal ideation); 0–24, the same bands
    /// (the severe band is 20–24). Missing-item rule as PHQ-9.
    /// Kroenke K et al. (2009) J Affect Disord 114:163–173.
    public static let phq8 = MoodScale(
        id: "phq8", name: "Patient Health Questionnaire-8 (PHQ-8)", construct: "depression",
        itemMaximum: Array(repeating: 3, count: 8), reversedItems: [], letteredItems: [],
        bands: phqBands + [SeverityBand(name: "severe", lower: 20, upper: 24)], maxMissing: 2,
        source: "Kroenke et al. 2009 (J Affect Disord 114:163); missing items as PHQ-9")

    /// BDI-II: 21 items scored 0–3, total 0–63; 0–13 minimal, 14–19 mild,
    /// 20–28 moderate, 29–63 severe. Items 16 (sleep) and 18 (appetite) are
    /// answered 0, 1a, 1b, 2a, 2b, 3a, 3b and score the digit. Missing items:
    /// the manual gives no rule; Moodbiome prorates up to 2 (as for PHQ-9).
    /// Beck AT, Steer RA, Brown GK (1996) Manual for the BDI-II.
    public static let bdi2 = MoodScale(
        id: "bdi2", name: "Beck Depression Inventory-II (BDI-II)", construct: "depression",
        itemMaximum: Array(repeating: 3, count: 21), reversedItems: [], letteredItems: [16, 18],
        bands: [SeverityBand(name: "minimal", lower: 0, upper: 13), SeverityBand(name: "mild", lower: 14, upper: 19),
                SeverityBand(name: "moderate", lower: 20, upper: 28), SeverityBand(name: "severe", lower: 29, upper: 63)],
        maxMissing: 2,
        source: "Beck, Steer & Brown 1996 (BDI-II manual); proration up to 2 missing items is Moodbiome's convention")

    /// HAM-D items 1–3, 7–11 and 15 are rated 0–4; 4–6, 12–14, 16 and 17 are 0–2.
    static let hamdItems = [4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2]

    /// HAM-D 17: clinician-rated, 17 items (nine 0–4, eight 0–2), total 0–52.
    /// Classic bands 0–7 normal, 8–13 mild, 14–18 moderate, 19–22 severe,
    /// ≥ 23 very severe. A clinician rates every item, so no item may be missing.
    /// Hamilton M (1960) J Neurol Neurosurg Psychiatry 23:56–62; bands as
    /// commonly used (e.g. Zimmerman et al. 2013, who review them).
    public static let hamd17 = MoodScale(
        id: "hamd17", name: "Hamilton Depression Rating Scale, 17 items (HAM-D17), classic bands", construct: "depression",
        itemMaximum: hamdItems, reversedItems: [], letteredItems: [],
        bands: [SeverityBand(name: "normal", lower: 0, upper: 7), SeverityBand(name: "mild", lower: 8, upper: 13),
                SeverityBand(name: "moderate", lower: 14, upper: 18), SeverityBand(name: "severe", lower: 19, upper: 22),
                SeverityBand(name: "very severe", lower: 23, upper: 52)],
        maxMissing: 0, source: "Hamilton 1960 (J Neurol Neurosurg Psychiatry 23:56); classic severity bands")

    /// HAM-D 17 with Zimmerman et al.'s (2013) empirically derived bands:
    /// 0–7 no depression, 8–16 mild, 17–23 moderate, ≥ 24 severe.
    /// Zimmerman M et al. (2013) J Affect Disord 150:384–388.
    public static let hamd17Zimmerman = MoodScale(
        id: "hamd17-zimmerman", name: "Hamilton Depression Rating Scale, 17 items (HAM-D17), Zimmerman 2013 bands", construct: "depression",
        itemMaximum: hamdItems, reversedItems: [], letteredItems: [],
        bands: [SeverityBand(name: "no depression", lower: 0, upper: 7), SeverityBand(name: "mild", lower: 8, upper: 16),
                SeverityBand(name: "moderate", lower: 17, upper: 23), SeverityBand(name: "severe", lower: 24, upper: 52)],
        maxMissing: 0, source: "Hamilton 1960; bands: Zimmerman et al. 2013 (J Affect Disord 150:384)")

    /// MADRS: 10 clinician-rated items 0–6, total 0–60; 0–6 normal, 7–19
    /// mild, 20–34 moderate, 35–60 severe. No item may be missing.
    /// Montgomery SA, Åsberg M (1979) Br J Psychiatry 134:382–389; bands
    /// Snaith RP et al. (1986) Br J Psychiatry 148:599 as commonly used.
    public static let madrs = MoodScale(
        id: "madrs", name: "Montgomery–Åsberg Depression Rating Scale (MADRS)", construct: "depression",
        itemMaximum: Array(repeating: 6, count: 10), reversedItems: [], letteredItems: [],
        bands: [SeverityBand(name: "normal", lower: 0, upper: 6), SeverityBand(name: "mild", lower: 7, upper: 19),
                SeverityBand(name: "moderate", lower: 20, upper: 34), SeverityBand(name: "severe", lower: 35, upper: 60)],
        maxMissing: 0, source: "Montgomery & Åsberg 1979 (Br J Psychiatry 134:382); bands as commonly used")

    static let hadsBands = [SeverityBand(name: "normal", lower: 0, upper: 7), SeverityBand(name: "borderline", lower: 8, upper: 10),
                            SeverityBand(name: "case", lower: 11, upper: 21)]

    /// HADS depression subscale: 7 items 0–3, total 0–21; 0–7 normal, 8–10
    /// borderline, 11–21 case. Items are taken as already scored by the
    /// published key (the form alternates the direction of its options;
    /// when the data hold option positions instead, name the items to
    /// reverse with `--reverse`). Prorated with at most 1 missing item
    /// (Bell ML et al. 2016, Qual Life Res 25:2063).
    /// Zigmond AS, Snaith RP (1983) Acta Psychiatr Scand 67:361–370.
    public static let hadsDepression = MoodScale(
        id: "hads-d", name: "Hospital Anxiety and Depression Scale, depression (HADS-D)", construct: "depression",
        itemMaximum: Array(repeating: 3, count: 7), reversedItems: [], letteredItems: [],
        bands: hadsBands, maxMissing: 1,
        source: "Zigmond & Snaith 1983 (Acta Psychiatr Scand 67:361); items as scored by the key; 1 missing item prorated (Bell et al. 2016)")

    /// HADS anxiety subscale: as the depression subscale.
    public static let hadsAnxiety = MoodScale(
        id: "hads-a", name: "Hospital Anxiety and Depression Scale, anxiety (HADS-A)", construct: "anxiety",
        itemMaximum: Array(repeating: 3, count: 7), reversedItems: [], letteredItems: [],
        bands: hadsBands, maxMissing: 1,
        source: "Zigmond & Snaith 1983 (Acta Psychiatr Scand 67:361); items as scored by the key; 1 missing item prorated (Bell et al. 2016)")

    /// CES-D: 20 items 0–3, total 0–60, items 4, 8, 12 and 16 (the positive
    /// ones) reverse-scored; ≥ 16 indicates possible depression. Not scored
    /// when more than 4 items are missing (prorated otherwise).
    /// Radloff LS (1977) Appl Psychol Meas 1:385–401.
    public static let cesd = MoodScale(
        id: "cesd", name: "Center for Epidemiologic Studies Depression Scale (CES-D)", construct: "depression",
        itemMaximum: Array(repeating: 3, count: 20), reversedItems: [4, 8, 12, 16], letteredItems: [],
        bands: [SeverityBand(name: "below cutoff", lower: 0, upper: 15), SeverityBand(name: "possible depression", lower: 16, upper: 60)],
        maxMissing: 4, source: "Radloff 1977 (Appl Psychol Meas 1:385)")

    /// GAD-7: 7 items 0–3, total 0–21; 0–4 minimal, 5–9 mild, 10–14
    /// moderate, 15–21 severe. Moodbiome prorates at most 1 missing item.
    /// Spitzer RL et al. (2006) Arch Intern Med 166:1092–1097.
    public static let gad7 = MoodScale(
        id: "gad7", name: "Generalized Anxiety Disorder-7 (GAD-7)", construct: "anxiety",
        itemMaximum: Array(repeating: 3, count: 7), reversedItems: [], letteredItems: [],
        bands: [SeverityBand(name: "minimal", lower: 0, upper: 4), SeverityBand(name: "mild", lower: 5, upper: 9),
                SeverityBand(name: "moderate", lower: 10, upper: 14), SeverityBand(name: "severe", lower: 15, upper: 21)],
        maxMissing: 1, source: "Spitzer et al. 2006 (Arch Intern Med 166:1092); proration of 1 missing item is Moodbiome's convention")

    /// PSS-10: 10 items 0–4, total 0–40, items 4, 5, 7 and 8 reverse-scored.
    /// Cohen gives no official bands; the 0–13 low, 14–26 moderate, 27–40
    /// high split is the one commonly used. Moodbiome prorates at most 1 missing item.
    /// Cohen S, Kamarck T, Mermelstein R (1983) J Health Soc Behav 24:385–396;
    /// Cohen S, Williamson G (1988), the 10-item version.
    public static let pss10 = MoodScale(
        id: "pss10", name: "Perceived Stress Scale, 10 items (PSS-10)", construct: "perceived stress",
        itemMaximum: Array(repeating: 4, count: 10), reversedItems: [4, 5, 7, 8], letteredItems: [],
        bands: [SeverityBand(name: "low", lower: 0, upper: 13), SeverityBand(name: "moderate", lower: 14, upper: 26),
                SeverityBand(name: "high", lower: 27, upper: 40)],
        maxMissing: 1, source: "Cohen, Kamarck & Mermelstein 1983; Cohen & Williamson 1988 (10 items); bands as commonly used")
}
