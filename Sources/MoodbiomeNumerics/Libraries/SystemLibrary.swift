import CLAPACK
import CNLopt
import FoundationEssentials

/// The system C libraries Moodbiome opens at first use (`dlopen`), so that
/// a process loads only what its job needs: `moodbiome --version` starts
/// without any of them, `diversity` never starts OpenBLAS's threads, and
/// only a job that reads BIOM 2.1 loads HDF5. The C shims (CLAPACK,
/// CNLopt, CHDF5, CZip, CCrypto, CRsvg) do the loading; this names what
/// each is for and the error when one is missing.
public enum SystemLibrary {
    /// What a library is needed for; each names the Debian packages that provide it.
    public enum Purpose: String, Sendable, CaseIterable {
        /// OpenBLAS and LAPACKE: models, ordination, every matrix.
        case linearAlgebra
        /// NLopt's BOBYQA: mixed models.
        case optimisation
        /// HDF5 and libdeflate: BIOM 2.1 tables.
        case hdf5
        /// libzip: QIIME 2 artifacts.
        case zip
        /// OpenSSL's libcrypto: SHA-256 fingerprints in provenance records.
        case digest
        /// librsvg, cairo and fontconfig: figures as PDF and PNG.
        case figureExport

        /// The Debian/Ubuntu packages that install the libraries.
        public var packages: [String] {
            switch self {
            case .linearAlgebra: ["libopenblas0", "liblapacke"]
            case .optimisation: ["libnlopt0"]
            case .hdf5: ["libhdf5-103-1", "libdeflate0"]
            case .zip: ["libzip4"]
            case .digest: ["libssl3"]
            case .figureExport: ["librsvg2-2", "libcairo2", "libfontconfig1", "fonts-liberation2"]
            }
        }
    }

    /// A library that cannot be loaded, and the loader's reason.
    public struct Unavailable: Error, Equatable, Sendable {
        public let purpose: Purpose
        public let reason: String
        public init(_ purpose: Purpose, reason: String) {
            self.purpose = purpose
            self.reason = reason
        }
    }

    /// What happens when a library that cannot fail to load (OpenBLAS,
    /// called from code that does not throw) is missing. The command line
    /// installs a handler that prints the error in words and exits; the
    /// default stops the process with the reason. Jobs call ``require(_:)``
    /// before any work, so this is reached only if one forgets.
    nonisolated(unsafe) public static var unavailableHandler: @Sendable (Unavailable) -> Never = { error in
        fatalError("\(error.purpose.rawValue) library unavailable: \(error.reason)")
    }

    /// Loads OpenBLAS and LAPACKE now, or throws ``Unavailable``: a job that
    /// does linear algebra calls it before any work, since the matrix code
    /// itself does not throw. (The other libraries are loaded by code that
    /// throws: NLopt by ``BoundedMinimizer``, HDF5, libzip and libcrypto by
    /// the readers and provenance, librsvg by the figure export.)
    public static func requireLinearAlgebra() throws {
        if mb_lapack() == nil { throw Unavailable(.linearAlgebra, reason: String(cString: mb_lapack_error())) }
    }
}

/// OpenBLAS and LAPACKE's functions, loaded at first use; a missing
/// library goes to ``SystemLibrary/unavailableHandler``.
package let lapack: mb_lapack_functions = {
    guard let table = mb_lapack() else {
        SystemLibrary.unavailableHandler(.init(.linearAlgebra, reason: String(cString: mb_lapack_error())))
    }
    BLASThreads.configure()
    return table.pointee
}()

/// NLopt's functions, loaded at first use.
package func nlopt() throws -> mb_nlopt_functions {
    guard let table = mb_nlopt() else { throw SystemLibrary.Unavailable(.optimisation, reason: String(cString: mb_nlopt_error())) }
    return table.pointee
}
