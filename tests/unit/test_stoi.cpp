// placeholder: replaced by the work in progress
#include <gtest/gtest.h>
