import CCrypto
import MoodbiomeNumerics

/// SHA-256 (FIPS 180-4) by OpenSSL's libcrypto (`EVP_Digest`), for the
/// input and output fingerprints of provenance records. libcrypto is
/// loaded at the first digest (``SystemLibrary``).
public enum SHA256 {
    /// The lower-case hex digest of `bytes`.
    public static func hex(_ bytes: [UInt8]) throws -> String {
        guard let crypto = mb_crypto()?.pointee else {
            throw SystemLibrary.Unavailable(.digest, reason: String(cString: mb_crypto_error()))
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            crypto.EVP_Digest(input.baseAddress, input.count, &digest, &size, crypto.EVP_sha256(), nil)
        }
        precondition(ok == 1 && size == 32, "libcrypto's SHA-256 failed")
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for b in digest { text.append(digits[Int(b >> 4)]); text.append(digits[Int(b & 15)]) }
        return String(decoding: text, as: UTF8.self)
    }
}
