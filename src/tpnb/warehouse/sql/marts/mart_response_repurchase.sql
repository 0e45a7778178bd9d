-- Observed repurchase: an order within the window after the survey.
-- Null where the window has not fully passed in the order data yet.
create or replace table mart_response_repurchase as
with responses as (
    select response_id, customer_id, answered_at from core_survey_responses
),
orders as (
    select * from core_orders
),
data_end as (
    select max(ordered_at) as last_order_at from orders
)
select
    r.response_id,
    case
        when d.last_order_at is null or r.answered_at + to_days($repurchase_window_days) > d.last_order_at then null
        else count(o.order_id) > 0
    end as has_repurchased,
    count(o.order_id) as orders_in_window,
    coalesce(sum(o.amount), 0) as amount_in_window
from responses as r
cross join data_end as d
left join orders as o
    on o.customer_id = r.customer_id
    and o.ordered_at > r.answered_at
    and o.ordered_at <= r.answered_at + to_days($repurchase_window_days)
group by r.response_id, r.answered_at, d.last_order_at
