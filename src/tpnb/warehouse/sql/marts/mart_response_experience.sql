-- What each respondent lived through in the service log in the window before
-- answering: the customer-level experience features the driver models use.
create or replace table mart_response_experience as
with responses as (
    select response_id, customer_id, answered_at from core_survey_responses
),
contacts as (
    select * from mart_contacts
)
select
    r.response_id,
    count(c.contact_id) as contacts_before,
    coalesce(sum(c.handoffs), 0) as handoffs_before,
    coalesce(max(c.is_passed_around::int), 0) as was_passed_around,
    coalesce(sum((not c.is_answered_in_target)::int), 0) as late_answers_before,
    coalesce(max((not c.is_answered_in_target)::int), 0) as had_late_answer,
    coalesce(sum(c.is_callback_missed::int), 0) as missed_callbacks_before,
    coalesce(max(c.is_callback_missed::int), 0) as had_missed_callback,
    coalesce(max(c.is_complaint::int), 0) as had_complaint,
    coalesce(max(c.wait_seconds), 0) as worst_wait_seconds
from responses as r
left join contacts as c
    on c.customer_id = r.customer_id
    and c.opened_at < r.answered_at
    and c.opened_at >= r.answered_at - to_days($experience_window_days)
group by r.response_id
