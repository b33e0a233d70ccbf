// Multi-symbol range coder (32-bit range, 64-bit low with carry propagation,
// as in LZMA's rc) with adaptive frequency models, for the families' entropy
// coding.
//
// Stream: the encoder never emits the leading byte (always 0) and trims the
// trailing zero bytes, choosing its final value to end in as many zero bits as
// possible. The decoder reads bytes past the end of its input as zeros, which
// is what makes the trimming free, so it never reads out of bounds and never
// throws: a damaged payload decodes to wrong but in-range symbols. Callers bound
// how many symbols they decode by their own (checked) headers.
//
// Frequency totals must stay <= max_total; with the range kept >= 2^24 that
// loses under 0.006 bits per symbol to rounding.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tq {

// Adaptive frequencies over symbols [0, n): every symbol starts at 1, a coded
// symbol gains `increment`, and all counts halve (staying >= 1) when the total
// passes max_total. Cumulative counts come from a Fenwick tree, so large
// alphabets cost O(log n) per symbol.
class AdaptiveModel {
public:
    static constexpr int max_symbols = 4096;
    static constexpr uint32_t max_total = 1u << 16;

    // Throws tq::Error(TQ_ERR_INVALID_ARGUMENT) unless 1 <= symbols <= max_symbols
    // and 1 <= increment <= 1024.
    explicit AdaptiveModel(int symbols, uint32_t increment = 24);

    int symbols() const { return static_cast<int>(freq_.size()); }
    uint32_t total() const { return total_; }
    uint32_t frequency(int symbol) const { return freq_[static_cast<size_t>(symbol)]; }
    uint32_t cumulative(int symbol) const;  // sum of the frequencies below `symbol`
    int find(uint32_t target) const;        // the symbol whose interval holds target < total()
    void update(int symbol);

private:
    void rebuild();

    std::vector<uint32_t> freq_;
    std::vector<uint32_t> tree_;  // Fenwick tree over freq_, 1-based
    uint32_t total_ = 0;
    uint32_t increment_;
};

class RangeEncoder {
public:
    // Codes `symbol` (0 <= symbol < model.symbols()) and adapts the model.
    void encode(AdaptiveModel& model, int symbol);
    // Codes an interval [cumulative, cumulative + frequency) of a caller's static
    // distribution; frequency >= 1, cumulative + frequency <= total <= max_total.
    void encode_interval(uint32_t cumulative, uint32_t frequency, uint32_t total);
    // The low `bits` bits of value, 0 <= bits <= 32, uniformly (bits cost bits).
    void encode_bits(uint32_t value, int bits);
    // Flushes and returns the stream; the encoder is then empty again.
    std::vector<uint8_t> finish();

private:
    void shift_low();
    void normalize();

    std::vector<uint8_t> out_;
    uint64_t low_ = 0;
    uint32_t range_ = 0xFFFFFFFFu;
    uint8_t cache_ = 0;
    uint64_t pending_ = 1;  // cache_ plus the 0xFF bytes after it that a carry may still change
};

class RangeDecoder {
public:
    explicit RangeDecoder(std::span<const uint8_t> data);

    int decode(AdaptiveModel& model);
    // The counterpart of encode_interval: target() gives a value in [0, total),
    // the caller finds its interval and passes it to consume().
    uint32_t target(uint32_t total);
    void consume(uint32_t cumulative, uint32_t frequency);
    uint32_t decode_bits(int bits);

    // Bytes consumed, including the zeros read past the end.
    size_t position() const { return pos_; }

private:
    uint8_t next_byte();
    void normalize();

    std::span<const uint8_t> data_;
    size_t pos_ = 0;
    uint32_t range_ = 0xFFFFFFFFu;
    uint32_t code_ = 0;
    uint32_t step_ = 1;  // range_ / total of the interval being decoded
};

}  // namespace tq
