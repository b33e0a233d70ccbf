// How every C ABI call turns C++ exceptions into an error code and a message
// (tq_last_error_message() for this thread, and the handle's own message).
#pragma once

#include <new>
#include <string>

#include "core/error.hpp"
#include "tqcodec/tqcodec.h"

namespace tq::api {

// This thread's last error message (tq_last_error_message()).
std::string& last_error();

template <class Body>
int guarded(std::string* handle_error, Body&& body) {
    auto record = [&](int code, const std::string& message) {
        last_error() = message;
        if (handle_error) *handle_error = message;
        return code;
    };
    try {
        body();
        last_error().clear();
        if (handle_error) handle_error->clear();
        return TQ_OK;
    } catch (const tq::Error& e) {
        return record(e.code(), e.what());
    } catch (const std::bad_alloc&) {
        return record(TQ_ERR_NO_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        return record(TQ_ERR_INTERNAL, std::string("internal error: ") + e.what());
    }
}

}  // namespace tq::api
