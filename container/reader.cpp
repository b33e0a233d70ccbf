#include "tqc_container.hpp"
