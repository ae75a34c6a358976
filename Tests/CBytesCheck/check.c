// CBytes' mb_match64 against a byte-at-a-time loop, for whichever of its
// three paths this file is compiled with (SSE2, NEON, or the plain loop
// when neither macro is defined): 100,000 blocks of delimiters, zeros and
// other bytes at every alignment. No C library, so that the same file runs
// as a static arm64 program under qemu-aarch64: the exit status is the
// answer (0: every mask right; 1: one was not).
// Built and run by scripts/check-cbytes.sh (part of `make test`).
#include "CBytes.h"

static int mismatches(void) {
    static const unsigned char alphabet[] = "0\t,15.\n\"a0";
    unsigned char buffer[128];
    unsigned long long state = 20261208;
    int bad = 0;
    for (int t = 0; t < 100000; t++) {
        for (int i = 0; i < 128; i++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            buffer[i] = alphabet[(state >> 33) % 11];
        }
        const unsigned char *block = buffer + t % 64;
        const unsigned char a = t % 2 ? '\t' : ',';
        mb_byte_masks masks = mb_match64(block, a, '0');
        unsigned long long wantA = 0, wantB = 0;
        for (int i = 0; i < 64; i++) {
            wantA |= (unsigned long long)(block[i] == a) << i;
            wantB |= (unsigned long long)(block[i] == '0') << i;
        }
        bad += masks.a != wantA || masks.b != wantB;
    }
    return bad;
}

#if defined(CBYTES_FREESTANDING)
// arm64 Linux without a C library: exit(status) by system call 93.
void _start(void) {
    register long status __asm__("x0") = mismatches() ? 1 : 0;
    register long call __asm__("x8") = 93;
    __asm__ volatile("svc 0" : : "r"(status), "r"(call));
    for (;;) {}
}
#else
int main(void) { return mismatches() ? 1 : 0; }
#endif
