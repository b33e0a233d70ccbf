#include "families/family.hpp"
#include "families/fractal/fractal.hpp"
#include "families/gauss/gauss.hpp"
#include "families/rvq/rvq.hpp"
#include "families/stftae/stftae.hpp"
#include "families/turbo/turbo.hpp"

namespace tq {
namespace {

// Families named by the format but not implemented yet: they are listed (so
// streams name them correctly) and fail at create time with a clear message.
[[maybe_unused]] constexpr FamilyDescriptor planned(tq_family id, const char* name, const char* description) {
    return FamilyDescriptor{id, name, description, {}, {}, nullptr, nullptr};
}

const FamilyDescriptor kFamilies[] = {
    turbo::descriptor(),
    fractal::descriptor(),
    stftae::descriptor(),
    rvq::descriptor(),
    gauss::descriptor(),
};

}  // namespace

const FamilyDescriptor* find_family(int family) {
    for (const auto& f : kFamilies)
        if (f.id == family) return &f;
    return nullptr;
}

}  // namespace tq
