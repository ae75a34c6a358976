#ifndef MOODBIOME_CBYTES_H
#define MOODBIOME_CBYTES_H

// Byte classification 64 bytes at a time, for the delimited-text parser
// (MoodbiomeIO's FieldCursor): one bit per byte, the first byte in the
// lowest bit, as in simdjson's stage 1 (Langdale & Lemire 2019, "Parsing
// gigabytes of JSON per second", VLDB Journal 28:941–960). SSE2 on x86-64
// (part of its baseline, so no check of the CPU at run time), NEON on
// arm64, one byte at a time elsewhere: the same bits everywhere.
//
// Static inline, so that the Swift caller compiles it in place. Links
// nothing.

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

/// Which of 64 bytes equal `a` and which equal `b`.
typedef struct {
    uint64_t a;
    uint64_t b;
} mb_byte_masks;

#if defined(__SSE2__)
static inline uint64_t mb_movemask16(__m128i bytes, __m128i match) {
    return (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, match));
}
#elif defined(__ARM_NEON)
// The high bit of each byte of a comparison, gathered into 16 bits: each
// byte keeps its own power of two, and three pairwise additions sum them.
static inline uint64_t mb_movemask16(uint8x16_t bytes, uint8x16_t match) {
    static const uint8_t weights[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    uint8x16_t bits = vandq_u8(vceqq_u8(bytes, match), vld1q_u8(weights));
    uint8x16_t sum = vpaddq_u8(bits, bits);
    sum = vpaddq_u8(sum, sum);
    sum = vpaddq_u8(sum, sum);
    return (uint64_t)vgetq_lane_u16(vreinterpretq_u16_u8(sum), 0);
}
#endif

/// The bytes `p[0..<64]` equal to `a` (in `.a`) and to `b` (in `.b`), byte
/// `i` as bit `i`. All 64 bytes must be readable.
static inline mb_byte_masks mb_match64(const uint8_t *p, uint8_t a, uint8_t b) {
    mb_byte_masks masks = {0, 0};
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
    for (int k = 0; k < 4; k++) {
        const __m128i bytes = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        masks.a |= mb_movemask16(bytes, va) << (16 * k);
        masks.b |= mb_movemask16(bytes, vb) << (16 * k);
    }
#elif defined(__ARM_NEON)
    const uint8x16_t va = vdupq_n_u8(a), vb = vdupq_n_u8(b);
    for (int k = 0; k < 4; k++) {
        const uint8x16_t bytes = vld1q_u8(p + 16 * k);
        masks.a |= mb_movemask16(bytes, va) << (16 * k);
        masks.b |= mb_movemask16(bytes, vb) << (16 * k);
    }
#else
    for (int i = 0; i < 64; i++) {
        masks.a |= (uint64_t)(p[i] == a) << i;
        masks.b |= (uint64_t)(p[i] == b) << i;
    }
#endif
    return masks;
}

#endif
