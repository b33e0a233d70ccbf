// Fuzz target: a model file from an attacker, loaded the way a user's
// TQCODEC_STFTAE_MODEL or TQCODEC_RVQ_MODEL file is (read from its path, the
// safetensors header and data parsed, the metadata checked, the layers built and
// run once on silence). Loading may fail with tq::Error(TQ_ERR_MODEL); it must
// never crash or allocate without bound. The file is in memory
// (tqfuzz::memory_file), so no execution touches the disk.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "families/model_stream.hpp"
#include "families/rvq/model.hpp"
#include "families/stftae/model.hpp"
#include "fuzz_target.hpp"

namespace {

// Both environment variables name the in-memory file (the same path on every call).
void name_model_file(const std::string& path) {
    static const bool named = setenv(tq::stftae::kModelEnvironment, path.c_str(), 1) == 0 &&
                              setenv(tq::rvq::kModelEnvironment, path.c_str(), 1) == 0;
    if (!named) tqfuzz::bug("setenv failed");
}

template <class Model>
void load(const char* environment, const char* family) {
    try {
        (void)tq::load_model<Model>(environment, {}, family);
    } catch (const tq::Error& e) {
        if (e.code() != TQ_ERR_MODEL) tqfuzz::bug("a bad model file gave an error other than TQ_ERR_MODEL:", e.what());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    name_model_file(tqfuzz::memory_file(data, size));
    load<tq::stftae::Model>(tq::stftae::kModelEnvironment, "stftae");
    load<tq::rvq::Model>(tq::rvq::kModelEnvironment, "rvq");
    return 0;
}
