import CCrypto
import MoodbiomeNumerics

/// SHA-256 (FIPS 180-4) by OpenSSL's libcrypto (`EVP_DigestUpdate`), for the
/// input and output fingerprints of provenance records. libcrypto is
/// loaded at the first digest (``SystemLibrary``).
public enum SHA256 {
    /// The lower-case hex digest of `bytes`.
    public static func hex(_ bytes: [UInt8]) throws -> String {
        try bytes.withUnsafeBufferPointer { try hex($0) }
    }

    /// The lower-case hex digest of the file at `path`, read through a
    /// mapping (no copy) 32 MiB at a time, each piece's pages handed back
    /// once hashed: a large input is not held resident a second time while
    /// the job reads it.
    ///
    /// - Throws: `InputError` when the file cannot be read.
    public static func hex(ofFile path: String) throws -> String {
        let file: FileBytes
        do { file = try FileBytes(path: path) } catch {
            throw InputError(file: path, problem: "cannot be read to record its checksum", fix: "Check that the input is a readable file")
        }
        let piece = 32 << 20
        return try withExtendedLifetime(file) {
            try digest { crypto, context in
                var offset = 0
                while offset < file.count {
                    let n = Swift.min(piece, file.count - offset)
                    precondition(crypto.EVP_DigestUpdate(context, file.buffer.baseAddress! + offset, n) == 1, "libcrypto's SHA-256 failed")
                    file.release(offset..<offset + n)
                    offset += n
                }
            }
        }
    }

    /// The lower-case hex digest of `bytes`.
    public static func hex(_ bytes: UnsafeBufferPointer<UInt8>) throws -> String {
        try digest { crypto, context in
            precondition(crypto.EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "libcrypto's SHA-256 failed")
        }
    }

    /// The digest of what `update` feeds a SHA-256 context, in lower-case hex.
    static func digest(_ update: (mb_crypto_functions, OpaquePointer) throws -> Void) throws -> String {
        guard let crypto = mb_crypto()?.pointee else {
            throw SystemLibrary.Unavailable(.digest, reason: String(cString: mb_crypto_error()))
        }
        guard let context = crypto.EVP_MD_CTX_new() else { preconditionFailure("libcrypto could not allocate a digest context") }
        defer { crypto.EVP_MD_CTX_free(context) }
        precondition(crypto.EVP_DigestInit_ex(context, crypto.EVP_sha256(), nil) == 1, "libcrypto's SHA-256 failed")
        try update(crypto, context)
        var digest = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        precondition(crypto.EVP_DigestFinal_ex(context, &digest, &size) == 1 && size == 32, "libcrypto's SHA-256 failed")
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for b in digest { text.append(digits[Int(b >> 4)]); text.append(digits[Int(b & 15)]) }
        return String(decoding: text, as: UTF8.self)
    }
}
