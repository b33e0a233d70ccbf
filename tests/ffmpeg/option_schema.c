/* The AVOption table of every libtq_<family> encoder against the library's
 * option schema (tq_family_option), the one source of truth: the same
 * options, each with the schema's type, default, range and help text, an enum's
 * named constants in the schema's order. The help may add what is FFmpeg's
 * own ("; -q:a sets it too"). Prints one line per family; exits 1 on any
 * difference. Built and run by ffmpeg_e2e.sh (check "schema") against the
 * patched FFmpeg's static libraries. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/opt.h>
#include <tqcodec/tqcodec.h>

#define FFMPEG_ONLY_HELP "; -q:a sets it too"

static int differences;

static void differ(const char *encoder, const char *option, const char *fmt, ...)
{
    va_list ap;
    printf("%s -%s: ", encoder, option);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    differences++;
}

static enum AVOptionType av_type_of(tq_option_type type)
{
    switch (type) {
    case TQ_OPTION_FLOAT: return AV_OPT_TYPE_DOUBLE;
    case TQ_OPTION_BOOL:  return AV_OPT_TYPE_BOOL;
    default:              return AV_OPT_TYPE_INT; /* int, pow2, enum (with named constants) */
    }
}

static int same_help(const char *av, const char *tq)
{
    size_t n = strlen(tq);
    return av && !strncmp(av, tq, n) && (!av[n] || !strcmp(av + n, FFMPEG_ONLY_HELP));
}

/* The enum's choices ("a|b|c") are the option's constants, valued 0, 1, 2. */
static void check_choices(const AVClass **cls, const char *encoder, const AVOption *o, const char *choices)
{
    const AVOption *c = NULL;
    const char *next = choices;
    int index = 0;

    if (!o->unit) {
        differ(encoder, o->name, "enum without named constants (no unit)");
        return;
    }
    while ((c = av_opt_next(cls, c))) {
        size_t len = strcspn(next, "|");
        if (c->type != AV_OPT_TYPE_CONST || !c->unit || strcmp(c->unit, o->unit))
            continue;
        if (strlen(c->name) != len || strncmp(c->name, next, len) || c->default_val.i64 != index)
            differ(encoder, o->name, "constant %s=%lld, the schema has %.*s=%d", c->name,
                   (long long)c->default_val.i64, (int)len, next, index);
        next += len + (next[len] == '|');
        index++;
    }
    if (*next)
        differ(encoder, o->name, "no constant for the choices \"%s\"", next);
}

static void check_option(const AVClass **cls, const char *encoder, const tq_option_info *info)
{
    const AVOption *o = av_opt_find2(cls, info->name, NULL, 0, AV_OPT_SEARCH_FAKE_OBJ, NULL);
    double def;

    if (!o || o->type == AV_OPT_TYPE_CONST) {
        differ(encoder, info->name, "missing");
        return;
    }
    if (o->type != av_type_of(info->type))
        differ(encoder, info->name, "AVOption type %d, the schema's type %d", o->type, info->type);
    def = o->type == AV_OPT_TYPE_DOUBLE ? o->default_val.dbl : (double)o->default_val.i64;
    if (def != info->default_value)
        differ(encoder, info->name, "default %.17g, the schema has %.17g", def, info->default_value);
    if (o->min != info->min_value || o->max != info->max_value)
        differ(encoder, info->name, "range [%.17g, %.17g], the schema has [%.17g, %.17g]", o->min, o->max,
               info->min_value, info->max_value);
    if (!same_help(o->help, info->help))
        differ(encoder, info->name, "help \"%s\", the schema has \"%s\"", o->help ? o->help : "(none)",
               info->help);
    if (info->type == TQ_OPTION_ENUM)
        check_choices(cls, encoder, o, info->choices);
}

static int in_schema(tq_family family, const char *name)
{
    for (int i = 0; i < tq_family_option_count(family); i++)
        if (!strcmp(tq_family_option(family, i)->name, name))
            return 1;
    return 0;
}

static void check_family(tq_family family)
{
    char encoder[64];
    const AVCodec *codec;
    const AVClass *cls;
    const AVOption *o = NULL;
    int before = differences, count = tq_family_option_count(family);

    snprintf(encoder, sizeof(encoder), "libtq_%s", tq_family_name(family));
    codec = avcodec_find_encoder_by_name(encoder);
    if (!codec || !codec->priv_class) {
        differ(encoder, "*", "no such encoder with options in this FFmpeg");
        return;
    }
    cls = codec->priv_class;
    for (int i = 0; i < count; i++)
        check_option(&cls, encoder, tq_family_option(family, i));
    /* ... and nothing else but the generic -tq_opts and the enums' constants. */
    while ((o = av_opt_next(&cls, o)))
        if (o->type != AV_OPT_TYPE_CONST && strcmp(o->name, "tq_opts") && !in_schema(family, o->name))
            differ(encoder, o->name, "not in the library's schema");
    printf("%s: %d options %s\n", encoder, count, differences == before ? "match the schema" : "DIFFER");
}

int main(void)
{
    for (int id = TQ_FAMILY_FIRST; id <= TQ_FAMILY_LAST; id++)
        if (tq_family_available((tq_family)id))
            check_family((tq_family)id);
    return differences ? 1 : 0;
}
