/* dealscore.h: the public API of the dealscore core, in one header.
 *
 * Decode a deal (ds_deal_decode), analyse it (ds_analyse: graph and the five core
 * scores), let a policy decide (bindings/lua), and write the result
 * (ds_result_write). The core depends on cJSON and libc only. */
#ifndef DEALSCORE_H
#define DEALSCORE_H

#include "ds_action.h"
#include "ds_arena.h"
#include "ds_buf.h"
#include "ds_date.h"
#include "ds_deal.h"
#include "ds_graph.h"
#include "ds_model.h"
#include "ds_question.h"
#include "ds_result.h"
#include "ds_score.h"

#define DEALSCORE_VERSION "0.1.0"

#endif
