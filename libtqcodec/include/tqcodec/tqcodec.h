/* libtqcodec — research audio codec families behind one C ABI.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The whole public API of the codec library. C99-clean; no C++ types or
 * exceptions cross it. Every function returns TQ_OK (0) or a negative
 * TQ_ERR_* code unless its documentation says otherwise: the version and
 * family queries, the getters, the message functions and the destructors,
 * which cannot fail (a NULL handle gives 0, NULL or ""), and
 * tq_packet_samples(), which returns a count or a negative code. Calls
 * marked TQ_WARN_UNUSED_RESULT can fail on valid handles; check them.
 *
 * Threading: handles are independent. Two encoders (or decoders) may be used
 * from two threads at once; one handle must not be used from two threads at
 * the same time. All functions without a handle argument are thread-safe.
 *
 * Data model: one encoder turns float PCM into a stream header (written once,
 * carried as FFmpeg extradata) and a sequence of self-contained packets, one
 * per frame of tq_encoder_frame_size() samples per channel. A decoder is
 * created from the stream header alone and turns each packet back into PCM.
 * Samples are float in [-1, 1], interleaved unless the function says planar.
 */
#ifndef TQCODEC_TQCODEC_H
#define TQCODEC_TQCODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define TQ_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#  define TQ_EXPORT __attribute__((visibility("default")))
#else
#  define TQ_EXPORT
#endif

#if defined(__GNUC__)
#  define TQ_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#  define TQ_WARN_UNUSED_RESULT
#endif

/* The enums below have the fixed underlying type int in C++, as C gives them
 * the size of an int: a C caller may pass any int where one is expected, and
 * the library (C++) then holds a value of the type, which it checks, rather
 * than an out-of-range enum (undefined behaviour in C++). */
#if defined(__cplusplus)
#  define TQ_ENUM_BASE : int
#else
#  define TQ_ENUM_BASE
#endif

/* ---- Version ------------------------------------------------------------ */

#define TQ_VERSION_MAJOR 0
#define TQ_VERSION_MINOR 1
#define TQ_VERSION_PATCH 0
#define TQ_VERSION_STRING "0.1.0"
/** Version as one integer: (major << 16) | (minor << 8) | patch. */
#define TQ_VERSION_INT \
    ((TQ_VERSION_MAJOR << 16) | (TQ_VERSION_MINOR << 8) | TQ_VERSION_PATCH)

/** @returns TQ_VERSION_INT of the library actually linked. */
TQ_EXPORT unsigned tq_version(void);
/** @returns the version of the library actually linked, e.g. "0.1.0". */
TQ_EXPORT const char *tq_version_string(void);

/* ---- Errors ------------------------------------------------------------- */

#define TQ_OK                     0
#define TQ_ERR_INVALID_ARGUMENT  -1 /**< NULL handle, bad option, out of range */
#define TQ_ERR_UNSUPPORTED       -2 /**< a valid request this build or family
                                         cannot serve: a family not built, a
                                         rate it does not code, layers it lacks */
#define TQ_ERR_NO_MEMORY         -3
#define TQ_ERR_CORRUPT           -4 /**< packet or stream header is damaged    */
#define TQ_ERR_BUFFER_TOO_SMALL  -5 /**< caller's output buffer is too small    */
#define TQ_ERR_MODEL             -6 /**< model weights missing or mismatched    */
#define TQ_ERR_INTERNAL          -7 /**< a bug: please report it               */

/** @returns a static description of an error code ("unknown error" if none). */
TQ_EXPORT const char *tq_strerror(int error);

/** Detailed message of the last failed call made by this thread, or "" if the
 *  last call succeeded. Valid until this thread's next libtqcodec call. Use it
 *  after a failed *_create(), when no handle exists yet to ask. */
TQ_EXPORT const char *tq_last_error_message(void);

/* ---- Families ----------------------------------------------------------- */

/** Codec families. The numeric values are the family byte stored in stream
 *  headers and .tqc files; they never change. */
typedef enum tq_family TQ_ENUM_BASE {
    TQ_FAMILY_TURBO   = 1, /**< random rotation + Lloyd-Max quantization   */
    TQ_FAMILY_FRACTAL = 2, /**< range/domain affine self-similarity (IFS)  */
    TQ_FAMILY_STFTAE  = 3, /**< convolutional autoencoder on the STFT      */
    TQ_FAMILY_RVQ     = 4, /**< conv encoder/decoder + residual VQ         */
    TQ_FAMILY_GAUSS   = 5  /**< 2-D Gaussians on the time-frequency plane  */
} tq_family;

#define TQ_FAMILY_FIRST TQ_FAMILY_TURBO
#define TQ_FAMILY_LAST  TQ_FAMILY_GAUSS

/** @returns the family's short name ("turbo", ...) or NULL if unknown. */
TQ_EXPORT const char *tq_family_name(tq_family family);

/** Looks a family up by its short name (case-sensitive).
 *  @param[in]  name    "turbo", "fractal", "stftae", "rvq" or "gauss".
 *  @param[out] family  receives the family; untouched on failure.
 *  @returns TQ_OK, or TQ_ERR_INVALID_ARGUMENT if no family has that name or
 *  an argument is NULL. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_family_from_name(const char *name, tq_family *family);

/** @returns 1 if this build of the library can encode and decode the family,
 *  0 if the family is known but not implemented in this build. */
TQ_EXPORT int tq_family_available(tq_family family);

/** @returns a one-line description of the family, or NULL if unknown. */
TQ_EXPORT const char *tq_family_description(tq_family family);

/** The input sample rates the family's encoder accepts.
 *  @returns NULL if it accepts every rate from 8000 to 192000 Hz (or the
 *  family is unknown), else a 0-terminated list in ascending order (valid for
 *  the life of the process); tq_encoder_create() refuses other rates with
 *  TQ_ERR_UNSUPPORTED. Resample them first, as `tqc encode` does with
 *  libsoxr and FFmpeg does with aresample when the encoder declares its rates. */
TQ_EXPORT const int *tq_family_sample_rates(tq_family family);

/* ---- Option schema ------------------------------------------------------ */

typedef enum tq_option_type TQ_ENUM_BASE {
    TQ_OPTION_INT   = 0, /**< integer in [min, max]                          */
    TQ_OPTION_FLOAT = 1, /**< real number in [min, max]                      */
    TQ_OPTION_BOOL  = 2, /**< 0 or 1 (also accepts true/false, yes/no)       */
    TQ_OPTION_POW2  = 3, /**< integer power of two in [min, max]             */
    TQ_OPTION_ENUM  = 4  /**< one of `choices` by name (or its 0-based index)  */
} tq_option_type;

/** One encoder option of a family: the single source of truth from which the
 *  option parser, `tqc families` and FFmpeg's AVOption table are derived. */
typedef struct tq_option_info {
    const char *name;          /**< key in "key=value" option strings      */
    tq_option_type type;       /**< how the value is parsed and checked    */
    double default_value;      /**< used when the option is not given      */
    double min_value;          /**< smallest accepted value (inclusive)    */
    double max_value;          /**< largest accepted value (inclusive)     */
    const char *help;          /**< one line, shown by tqc and ffmpeg -h    */
    const char *choices;       /**< TQ_OPTION_ENUM: names separated by '|',
                                    value = index (min 0, max count - 1);
                                    NULL for other types                    */
} tq_option_info;

/** @returns the number of encoder options of the family (0 if unknown). */
TQ_EXPORT int tq_family_option_count(tq_family family);

/** @returns option number `index` (0-based) of the family, or NULL if out of
 *  range. The pointer stays valid for the life of the process. */
TQ_EXPORT const tq_option_info *tq_family_option(tq_family family, int index);

/* ---- Encoder ------------------------------------------------------------ */

typedef struct tq_encoder tq_encoder;

/** Encoder configuration. Initialise with tq_encoder_config_init(), then set
 *  the fields you need. */
typedef struct tq_encoder_config {
    tq_family family;    /**< the codec family (tq_family_available() == 1)     */
    int sample_rate;     /**< Hz, 8000..192000, and one of
                              tq_family_sample_rates() where that is not NULL */
    int channels;        /**< 1..8                                              */
    int bitrate;         /**< target bits per second of the coded stream, or 0
                              to let the family's options decide             */
    const char *options; /**< "key=value,key=value" (see the family's schema),
                              or NULL. Unknown keys and out-of-range values
                              make tq_encoder_create() fail.                */
} tq_encoder_config;

/** Fills `config` with defaults: the given family, 44100 Hz, 2 channels,
 *  bitrate 0, no options. Does nothing if `config` is NULL. */
TQ_EXPORT void tq_encoder_config_init(tq_encoder_config *config, tq_family family);

/** Creates an encoder.
 *  @param[in]  config  the configuration; copied, so it may be freed after.
 *  @param[out] encoder receives the new handle, or NULL on failure.
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for a NULL argument, an unknown
 *  family, a rate outside 8000..192000 Hz, a bad channel count, bitrate or
 *  option (tq_last_error_message() says which); TQ_ERR_UNSUPPORTED for a
 *  family this build does not implement or a rate the family does not code
 *  (see tq_family_sample_rates()); TQ_ERR_MODEL if the family's model weights
 *  are missing or mismatched; TQ_ERR_NO_MEMORY. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_encoder_create(const tq_encoder_config *config,
                                                      tq_encoder **encoder);

/** Frees an encoder and everything it owns (its stream header too). NULL is
 *  allowed. */
TQ_EXPORT void tq_encoder_destroy(tq_encoder *encoder);

/** @returns samples per channel in one frame (>= 1; 0 for a NULL encoder);
 *  every packet but the last covers exactly this many input samples. */
TQ_EXPORT int tq_encoder_frame_size(const tq_encoder *encoder);

/** @returns the encoder delay in samples per channel (0 for a NULL encoder):
 *  decoded output starts with this many samples that precede the input and
 *  should be dropped. */
TQ_EXPORT int tq_encoder_delay(const tq_encoder *encoder);

/** @returns an upper bound on the size in bytes of any packet this encoder
 *  produces (0 for a NULL encoder); a buffer of this size never gets
 *  TQ_ERR_BUFFER_TOO_SMALL. */
TQ_EXPORT size_t tq_encoder_max_packet_size(const tq_encoder *encoder);

/** The stream header a decoder needs (FFmpeg extradata): what
 *  tq_decoder_create() takes.
 *  @param[in]  encoder  the encoder.
 *  @param[out] data     receives a pointer to the header bytes, which belong to
 *                       the encoder and stay valid until it is destroyed.
 *  @param[out] size     receives the header size in bytes (> 0).
 *  @returns TQ_OK, or TQ_ERR_INVALID_ARGUMENT if an argument is NULL. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_encoder_stream_header(const tq_encoder *encoder,
                                                             const uint8_t **data, size_t *size);

/** Encodes one frame of interleaved float PCM into one packet.
 *  @param[in]  encoder   the encoder.
 *  @param[in]  pcm       samples_per_channel * channels floats.
 *  @param[in]  samples_per_channel  1..frame_size; fewer than frame_size
 *                        only for the last frame of the stream.
 *  @param[out] packet    receives the packet bytes.
 *  @param[in]  capacity  size of `packet` in bytes: at least
 *                        tq_encoder_max_packet_size().
 *  @param[out] packet_size  bytes written; 0 if the encoder holds the input
 *                        back (families with look-ahead), and 0 on error.
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for a NULL argument or a sample
 *  count outside 1..frame_size; TQ_ERR_BUFFER_TOO_SMALL if capacity is below
 *  tq_encoder_max_packet_size(); TQ_ERR_NO_MEMORY. The argument checks come
 *  before the encoder sees the input: after a refused call the stream is as
 *  it was, and the call may be repeated with correct arguments. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_encode(tq_encoder *encoder, const float *pcm,
                                              int samples_per_channel, uint8_t *packet,
                                              size_t capacity, size_t *packet_size);

/** As tq_encode(), with one array of samples per channel.
 *  @param[in]  planes  `channels` pointers, none NULL, to samples_per_channel
 *                      floats each. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_encode_planar(tq_encoder *encoder,
                                                     const float *const *planes,
                                                     int samples_per_channel, uint8_t *packet,
                                                     size_t capacity, size_t *packet_size);

/** Drains the encoder at the end of the stream. Call repeatedly until it sets
 *  *packet_size to 0; families without look-ahead return 0 at once.
 *  @param[out] packet       receives the packet bytes (may be NULL only when
 *                           nothing is left).
 *  @param[in]  capacity     size of `packet` in bytes
 *                           (tq_encoder_max_packet_size() always suffices).
 *  @param[out] packet_size  bytes written, 0 when the stream is complete
 *                           and on error.
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for a NULL encoder or packet_size,
 *  or a NULL packet while a packet is due; TQ_ERR_BUFFER_TOO_SMALL if the
 *  packet does not fit in capacity; TQ_ERR_NO_MEMORY. A packet refused this
 *  way stays in the encoder: the next call gives it. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_encoder_flush(tq_encoder *encoder, uint8_t *packet,
                                                     size_t capacity, size_t *packet_size);

/** @returns the message of the last failed call on this encoder ("" if the
 *  last call succeeded or the encoder is NULL); valid until its next call. */
TQ_EXPORT const char *tq_encoder_error_message(const tq_encoder *encoder);

/** Reads how many samples per channel a packet decodes to, without decoding
 *  it (muxers use it for packet durations; flush packets may be short).
 *  @param[in]  packet       a packet from tq_encode() or tq_encoder_flush().
 *  @param[in]  packet_size  its size in bytes.
 *  @returns the count (>= 1), unlike the other calls; TQ_ERR_CORRUPT if the
 *  packet cannot say; TQ_ERR_INVALID_ARGUMENT if `packet` is NULL. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_packet_samples(const uint8_t *packet, size_t packet_size);

/* ---- Decoder ------------------------------------------------------------ */

typedef struct tq_decoder tq_decoder;

/** Creates a decoder from a stream header alone.
 *  @param[in]  stream_header  the bytes tq_encoder_stream_header() gave
 *                             (FFmpeg extradata); copied, so they may be freed after.
 *  @param[in]  size           their size in bytes.
 *  @param[out] decoder        receives the new handle, or NULL on failure.
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT if an argument is NULL;
 *  TQ_ERR_CORRUPT if the header is damaged or inconsistent;
 *  TQ_ERR_UNSUPPORTED for a family this build does not implement;
 *  TQ_ERR_MODEL if the header names model weights this library lacks. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_decoder_create(const uint8_t *stream_header,
                                                      size_t size, tq_decoder **decoder);

/** Frees a decoder. NULL is allowed. */
TQ_EXPORT void tq_decoder_destroy(tq_decoder *decoder);

/* The getters below read what the stream header recorded; each returns 0 for
 * a NULL decoder. */

/** @returns the family of the stream. */
TQ_EXPORT tq_family tq_decoder_family(const tq_decoder *decoder);
/** @returns the sample rate of the decoded PCM in Hz (8000..192000). */
TQ_EXPORT int tq_decoder_sample_rate(const tq_decoder *decoder);
/** @returns the number of channels of the decoded PCM (1..8). */
TQ_EXPORT int tq_decoder_channels(const tq_decoder *decoder);
/** @returns the largest number of samples per channel one packet decodes to:
 *  a tq_decode() buffer of this many samples per channel always suffices. */
TQ_EXPORT int tq_decoder_frame_size(const tq_decoder *decoder);
/** @returns the encoder delay recorded in the stream header: samples per
 *  channel at the start of the decoded output to drop. */
TQ_EXPORT int tq_decoder_delay(const tq_decoder *decoder);

/** Decodes one packet into interleaved float PCM.
 *  @param[in]  packet  the packet, or NULL to conceal a lost packet: the
 *                      decoder outputs one frame (silence, or for families
 *                      that overlap packets a fade-out of the last one) and
 *                      keeps its state in step for the packets that follow.
 *  @param[in]  packet_size  size of `packet` in bytes (ignored when NULL).
 *  @param[out] pcm     room for max_samples_per_channel * channels floats.
 *  @param[in]  max_samples_per_channel  the capacity of `pcm` in samples per
 *                      channel; tq_decoder_frame_size() always suffices.
 *  @param[out] samples_per_channel  samples per channel written (0 on error).
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT if decoder, pcm or
 *  samples_per_channel is NULL; TQ_ERR_CORRUPT for a damaged packet (nothing
 *  is written and the decoder stays usable for the next packet);
 *  TQ_ERR_BUFFER_TOO_SMALL if the packet holds more than
 *  max_samples_per_channel samples per channel (nothing is written);
 *  TQ_ERR_NO_MEMORY. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_decode(tq_decoder *decoder, const uint8_t *packet,
                                              size_t packet_size, float *pcm,
                                              int max_samples_per_channel,
                                              int *samples_per_channel);

/** As tq_decode(), writing one array per channel.
 *  @param[out] planes  `channels` pointers, none NULL, to room for
 *                      max_samples_per_channel floats each. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_decode_planar(tq_decoder *decoder,
                                                     const uint8_t *packet,
                                                     size_t packet_size, float *const *planes,
                                                     int max_samples_per_channel,
                                                     int *samples_per_channel);

/** Forgets all state carried between packets (call after a seek).
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for a NULL decoder;
 *  TQ_ERR_NO_MEMORY (the decoder must then not be used further). */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_decoder_reset(tq_decoder *decoder);

/** Decodes at most `layers` layers of every packet from now on, for families
 *  whose packets are layered (rvq: the codebooks of each frame, coarse to fine;
 *  fewer layers = the quality of a lower bitrate, bit-identical to decoding a
 *  stream reduced to that many codebooks). Takes effect with the next packet.
 *  @param[in] layers  0 (no limit, the default) or more; values above the
 *                     family's layer count mean no limit.
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for a NULL decoder or layers < 0;
 *  TQ_ERR_UNSUPPORTED for a family without layers. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_decoder_limit_layers(tq_decoder *decoder, int layers);

/** @returns the message of the last failed call on this decoder ("" if the
 *  last call succeeded or the decoder is NULL); valid until its next call. */
TQ_EXPORT const char *tq_decoder_error_message(const tq_decoder *decoder);

#ifdef __cplusplus
}
#endif

#endif /* TQCODEC_TQCODEC_H */
