/* ds_core.h: the engine core's headers in one (internal: the public API is lib/dealscore.h).
 *
 * Decode a deal (ds_deal_decode), analyse it (ds_analyse: graph and the five core
 * scores), let a policy decide (bindings/lua), and write the result
 * (ds_result_write). The core depends on cJSON and libc only. */
#ifndef DS_CORE_H
#define DS_CORE_H

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
#include "ds_seen.h"

#endif
