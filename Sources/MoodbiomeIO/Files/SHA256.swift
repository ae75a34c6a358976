import CCrypto
import MoodbiomeNumerics

/// SHA-256 (FIPS 180-4) by OpenSSL's libcrypto (`EVP_Digest`), for the
/// input and output fingerprints of provenance records. libcrypto is
/// loaded at the first digest (``SystemLibrary``).
public enum SHA256 {
    /// The lower-case hex digest of `bytes`.
    public static func hex(_ bytes: [UInt8]) throws -> String {
        try bytes.withUnsafeBufferPointer { try hex($0) }
    }

    /// The lower-case hex digest of the file at `path`, read through a
    /// mapping (no copy).
    ///
    /// - Throws: `InputError` when the file cannot be read.
    public static func hex(ofFile path: String) throws -> String {
        let file: FileBytes
        do { file = try FileBytes(path: path) } catch {
            throw InputError(file: path, problem: "cannot be read to record its checksum", fix: "Check that the input is a readable file")
        }
        return try withExtendedLifetime(file) { try hex(file.buffer) }
    }

    /// The lower-case hex digest of `bytes`.
    public static func hex(_ bytes: UnsafeBufferPointer<UInt8>) throws -> String {
        guard let crypto = mb_crypto()?.pointee else {
            throw SystemLibrary.Unavailable(.digest, reason: String(cString: mb_crypto_error()))
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        let ok = crypto.EVP_Digest(bytes.baseAddress, bytes.count, &digest, &size, crypto.EVP_sha256(), nil)
        precondition(ok == 1 && size == 32, "libcrypto's SHA-256 failed")
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for b in digest { text.append(digits[Int(b >> 4)]); text.append(digits[Int(b & 15)]) }
        return String(decoding: text, as: UTF8.self)
    }
}
