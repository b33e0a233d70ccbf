/* libtqcodec — reading and writing .tqc files (container/FORMAT.md) through the C ABI.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same reader and writer the tqc tool uses. Error conventions, threading
 * rules and TQ_EXPORT are those of tqcodec.h: every function returns TQ_OK or
 * a negative TQ_ERR_* code unless documented otherwise; getters and
 * destructors cannot fail; tq_last_error_message() (and the handle's
 * tq_file_*_error_message()) say what went wrong. One handle must not be used
 * from two threads at once; different handles are independent.
 */
#ifndef TQCODEC_CONTAINER_H
#define TQCODEC_CONTAINER_H

#include "tqcodec.h"

#ifdef __cplusplus
extern "C" {
#endif

/** total_samples of a file whose length was unknown when written (a pipe). */
#define TQ_UNKNOWN_SAMPLES UINT64_MAX

/** What a .tqc file header records. */
typedef struct tq_file_info {
    tq_family family;      /**< family byte of the stream                       */
    int sample_rate;       /**< Hz, the rate the stream decodes at              */
    int channels;          /**< 1..255                                          */
    int source_bits;       /**< bit depth of the source PCM, 0 = unknown/float   */
    int frame_size;        /**< samples per channel per packet (the largest)    */
    int encoder_delay;     /**< samples per channel to drop at the start        */
    uint64_t total_samples;/**< per channel, delay included; TQ_UNKNOWN_SAMPLES  */
    const uint8_t *stream_header; /**< the family's stream header (decoder input) */
    size_t stream_header_size;
} tq_file_info;

/* ---- Writer ------------------------------------------------------------- */

typedef struct tq_file_writer tq_file_writer;

/** Creates `path` (replacing any file there) and writes the file header of a
 *  stream: family, rate, channels, frame size and delay come from its stream
 *  header.
 *  @param[in]  path           file to write.
 *  @param[in]  stream_header  tq_encoder_stream_header()'s bytes (or a read
 *                             file's tq_file_info.stream_header); copied.
 *  @param[in]  stream_header_size  their size in bytes.
 *  @param[in]  source_bits    bit depth of the source PCM (0..32, 0 = unknown).
 *  @param[in]  total_samples  input samples per channel that will be encoded
 *                             (the delay is added), or TQ_UNKNOWN_SAMPLES.
 *  @param[in]  tags           NULL, or key, value, key, value, ..., NULL:
 *                             UTF-8 metadata (e.g. "encoder", "title").
 *  @param[out] writer         the new handle, or NULL on failure.
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for a NULL argument, an odd tag
 *  list or a file that cannot be created (the message has the reason);
 *  TQ_ERR_CORRUPT for a malformed stream header. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_file_writer_create(const char *path, const uint8_t *stream_header,
                                                          size_t stream_header_size, int source_bits,
                                                          uint64_t total_samples, const char *const *tags,
                                                          tq_file_writer **writer);

/** Appends one packet as tq_encode()/tq_encoder_flush() made it.
 *  @param[in] first_sample  index (per channel) of the packet's first decoded
 *                           sample: the sum of tq_packet_samples() of the
 *                           packets before it.
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for NULL arguments, an empty
 *  packet, a write after finish, or an I/O error. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_file_writer_write_packet(tq_file_writer *writer,
                                                                uint64_t first_sample,
                                                                const uint8_t *packet, size_t packet_size);

/** Writes the trailer (seek index, final sample count, SHA-256), patches the
 *  header and closes the file. Call once, after the last packet; a file
 *  destroyed without it is incomplete.
 *  @param[in] final_samples  samples per channel all packets decode to
 *                            (the sum of their tq_packet_samples()).
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for a NULL writer, a second call or
 *  an I/O error. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_file_writer_finish(tq_file_writer *writer, uint64_t final_samples);

/** Closes and frees a writer. NULL is allowed. */
TQ_EXPORT void tq_file_writer_destroy(tq_file_writer *writer);

/** @returns the message of the writer's last failed call ("" if none). */
TQ_EXPORT const char *tq_file_writer_error_message(const tq_file_writer *writer);

/* ---- Reader ------------------------------------------------------------- */

typedef struct tq_file_reader tq_file_reader;

/** Opens a .tqc file and reads its header (CRC-checked).
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for NULL arguments or a file that
 *  cannot be opened; TQ_ERR_CORRUPT if it is not a .tqc file, its header
 *  is damaged or names a family this library does not know. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_file_reader_open(const char *path, tq_file_reader **reader);

/** Fills `info` from the header. Its stream_header pointer stays valid
 *  until the reader is destroyed.
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for a NULL argument. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_file_reader_info(const tq_file_reader *reader, tq_file_info *info);

/** @returns the number of metadata tags in the header (0 for NULL). */
TQ_EXPORT int tq_file_reader_tag_count(const tq_file_reader *reader);

/** The tag at `index` (0 .. tag_count-1); the strings live as long as the reader.
 *  @returns TQ_OK; TQ_ERR_INVALID_ARGUMENT for a NULL argument or an index
 *  out of range. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_file_reader_tag(const tq_file_reader *reader, int index,
                                                       const char **key, const char **value);

/** Reads the next intact packet. Damaged packets are skipped (the reader
 *  resynchronises on the next sync word) and counted in
 *  tq_file_reader_damage_count().
 *  @param[out] packet        the packet's bytes, valid until the next call.
 *  @param[out] packet_size   their size.
 *  @param[out] first_sample  its first sample index per channel (may be NULL).
 *  @returns 1 when a packet was read, 0 at the end of the packets (unlike the
 *  other calls), TQ_ERR_INVALID_ARGUMENT for NULL arguments or an I/O error. */
TQ_EXPORT TQ_WARN_UNUSED_RESULT int tq_file_reader_next_packet(tq_file_reader *reader,
                                                               const uint8_t **packet,
                                                               size_t *packet_size,
                                                               uint64_t *first_sample);

/** @returns how many problems the reader stepped over so far (bad packets,
 *  sequence gaps, a missing or bad trailer, truncation); 0 for NULL. */
TQ_EXPORT int tq_file_reader_damage_count(const tq_file_reader *reader);

/** @returns the message of damage number `index` (0-based), or NULL. */
TQ_EXPORT const char *tq_file_reader_damage(const tq_file_reader *reader, int index);

/** After the last packet: whether the trailer was read and the file's
 *  SHA-256 matched it.
 *  @returns 1 intact, 0 missing/damaged trailer or not yet at the end. */
TQ_EXPORT int tq_file_reader_checksum_ok(const tq_file_reader *reader);

/** @returns the final sample count per channel from the trailer (delay
 *  included) once the end was reached, else TQ_UNKNOWN_SAMPLES. */
TQ_EXPORT uint64_t tq_file_reader_final_samples(const tq_file_reader *reader);

/** Closes and frees a reader. NULL is allowed. */
TQ_EXPORT void tq_file_reader_destroy(tq_file_reader *reader);

/** @returns the message of the reader's last failed call ("" if none). */
TQ_EXPORT const char *tq_file_reader_error_message(const tq_file_reader *reader);

#ifdef __cplusplus
}
#endif

#endif /* TQCODEC_CONTAINER_H */
