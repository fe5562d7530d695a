/// Which bands each FFT bin contributes to, and with what weight: the precomputed part of
/// DESIGN.md's band-power rule.
///
/// Bin k stands for [(k−½)Δf, (k+½)Δf) clipped to [0, fs/2]; its weight in a band is the fraction
/// of that interval inside the band. The map is stored bin-major (compressed rows), so a frame is
/// one pass over the spectrum. It also holds the one-sided factor c_k (1 at DC and Nyquist, 2
/// elsewhere) and the Parseval normalisation 1/(N·Σw²).
///
/// The same weights are also stored band-major (``bandFirstBin`` … ``bandLastWeight``): a band
/// overlaps one contiguous run of bins, every bin strictly inside the run lies wholly inside the
/// band (weight 1), so only the two edge bins carry a fraction. A band's power is then
/// `firstWeight·P[first] + Σ P[first+1 ..< last] + lastWeight·P[last]` over the one-sided bin
/// powers P — a contiguous, vectorisable sum with no scatter.
public struct BinBandMap: Sendable, Equatable {
    /// The first bin with any weight.
    public let firstBin: Int
    /// One past the last bin with any weight.
    public let endBin: Int
    /// For bin `firstBin + j`, its entries are `entryStart[j]..<entryStart[j+1]`.
    public let entryStart: [Int32]
    /// Band index of each entry.
    public let entryBand: [Int32]
    /// Weight of each entry: the bin's edge weight a_k times c_k (1 or 2).
    public let entryWeight: [Float]
    /// The edge weight a_k alone of each entry (the fraction of the bin inside the band).
    public let entryFraction: [Float]
    /// The number of bands.
    public let bandCount: Int
    /// Σ_k a_k for each band: how many bins' worth of spectrum the band holds.
    public let binsPerBand: [Double]
    /// For each band, the lowest bin that overlaps it.
    public let bandFirstBin: [Int32]
    /// For each band, the highest bin that overlaps it (equal to the first for a band inside one bin).
    public let bandLastBin: [Int32]
    /// For each band, the edge weight a_k of its first bin.
    public let bandFirstWeight: [Float]
    /// For each band, the edge weight a_k of its last bin; 0 when the band lies inside one bin
    /// (its first bin already carries the whole weight).
    public let bandLastWeight: [Float]

    /// Precomputes the map for `layout` (already resolved) on an FFT of `fftSize` at `sampleRate`.
    /// - Parameters:
    ///   - layout: The bands; each must lie inside [0, fs/2].
    ///   - fftSize: The FFT length N.
    ///   - sampleRate: In Hz.
    public init(layout: BandLayout, fftSize: Int, sampleRate: Double) {
        let spacing = sampleRate / Double(fftSize)
        let nyquist = sampleRate / 2
        let lastBin = fftSize / 2
        var first = Int.max, end = 0
        var starts: [Int32] = []
        var bandsOfEntries: [Int32] = []
        var weights: [Float] = []
        var fractions: [Float] = []
        var perBand = [Double](repeating: 0, count: layout.count)
        let lowest = layout.bands.first!.lowerHz, highest = layout.bands.last!.upperHz
        let kLow = max(0, Int(((lowest / spacing) - 0.5).rounded(.down)))
        let kHigh = min(lastBin, Int(((highest / spacing) + 0.5).rounded(.up)))
        var pending: [Int32] = []
        let bands = layout.bands
        var lowestBand = 0  // bands are contiguous and increasing: none below this one reaches bin k
        var entries: [(Int32, Float, Float)] = []
        for k in kLow...kHigh {
            let a = max(0, (Double(k) - 0.5) * spacing), b = min(nyquist, (Double(k) + 0.5) * spacing)
            guard b > a else { continue }
            let c: Double = (k == 0 || k == lastBin) ? 1 : 2
            entries.removeAll(keepingCapacity: true)
            while lowestBand < bands.count - 1, bands[lowestBand].upperHz <= a { lowestBand += 1 }
            for index in lowestBand..<bands.count {
                let band = bands[index]
                if band.lowerHz >= b { break }
                let overlap = min(b, band.upperHz) - max(a, band.lowerHz)
                if overlap > 0 {
                    let fraction = overlap / (b - a)
                    entries.append((Int32(index), Float(fraction * c), Float(fraction)))
                    perBand[index] += fraction
                }
            }
            if entries.isEmpty { pending.append(0); continue }
            if first == Int.max { first = k; pending.removeAll() }
            // Bins with no entries between two bins with entries keep empty rows.
            for _ in pending { starts.append(Int32(bandsOfEntries.count)) }
            pending.removeAll()
            starts.append(Int32(bandsOfEntries.count))
            for (band, w, f) in entries { bandsOfEntries.append(band); weights.append(w); fractions.append(f) }
            end = k + 1
        }
        starts.append(Int32(bandsOfEntries.count))
        firstBin = first == Int.max ? 0 : first
        endBin = end
        entryStart = starts
        entryBand = bandsOfEntries
        entryWeight = weights
        entryFraction = fractions
        bandCount = layout.count
        binsPerBand = perBand

        // Band-major view of the same entries.
        var bFirst = [Int32](repeating: -1, count: layout.count), bLast = [Int32](repeating: -1, count: layout.count)
        var wFirst = [Float](repeating: 0, count: layout.count), wLast = [Float](repeating: 0, count: layout.count)
        for row in 0..<(starts.count - 1) {
            let k = Int32(firstBin + row)
            for e in Int(starts[row])..<Int(starts[row + 1]) {
                let band = Int(bandsOfEntries[e])
                if bFirst[band] < 0 { bFirst[band] = k; wFirst[band] = fractions[e] }
                bLast[band] = k
                wLast[band] = fractions[e]
            }
        }
        for band in 0..<layout.count {
            if bFirst[band] < 0 { bFirst[band] = 0; bLast[band] = 0; wFirst[band] = 0; wLast[band] = 0 }
            if bLast[band] == bFirst[band] { wLast[band] = 0 }
        }
        bandFirstBin = bFirst
        bandLastBin = bLast
        bandFirstWeight = wFirst
        bandLastWeight = wLast
    }
}
