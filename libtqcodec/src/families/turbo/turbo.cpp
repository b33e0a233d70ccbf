#include "families/turbo/turbo.hpp"

namespace tq::turbo {

FamilyDescriptor descriptor() {
    return FamilyDescriptor{TQ_FAMILY_TURBO, "turbo", "random rotation + Lloyd-Max quantization (after TurboQuant)",
                            {}, nullptr, nullptr};
}

}  // namespace tq::turbo
