"""allauth's words on the account pages and in the account emails, in the app's own catalogue.

allauth's German and Spanish catalogues address people formally (Sie, usted) where the rest of
the app says du and tu. Naming its words here gathers them into `locale/` (LOCALE_PATHS comes
before an app's own catalogue), where they are translated in the app's register. Only what a
person can meet is listed: sign-in by username or email, sign-up with a confirmed address,
password reset and change, email addresses, re-authentication, and their emails. Each entry is
allauth's msgid exactly (an upgrade that changes one shows as a string without translation).
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

ACCOUNT_TEXTS = (
    # account/adapter.py
    gettext_noop("This account is currently inactive."),
    # account/adapter.py
    gettext_noop("You cannot remove your primary email address."),
    # account/adapter.py
    gettext_noop("This email address is already associated with this account."),
    # account/adapter.py
    gettext_noop("The email address and/or password you specified are not correct."),
    # account/adapter.py
    gettext_noop("The phone number and/or password you specified are not correct."),
    # account/adapter.py
    gettext_noop("A user is already registered with this email address."),
    # account/adapter.py
    gettext_noop("Please type your current password."),
    # account/adapter.py
    gettext_noop("Incorrect code."),
    # account/adapter.py
    gettext_noop("Incorrect password."),
    # account/adapter.py
    gettext_noop("Invalid or expired key."),
    # account/adapter.py
    gettext_noop("Invalid login."),
    # account/adapter.py
    gettext_noop("The password reset token was invalid."),
    # account/adapter.py
    gettext_noop("You cannot add more than %d email addresses."),
    # account/adapter.py
    gettext_noop("A user is already registered with this phone number."),
    # account/adapter.py
    gettext_noop("Too many failed login attempts. Try again later."),
    # account/adapter.py
    gettext_noop("The email address is not assigned to any user account."),
    # account/adapter.py
    gettext_noop("The phone number is not assigned to any user account."),
    # account/adapter.py
    gettext_noop("Your primary email address must be verified."),
    # account/adapter.py
    gettext_noop("Username can not be used. Please use other username."),
    # account/adapter.py
    gettext_noop("The username and/or password you specified are not correct."),
    # account/adapter.py
    gettext_noop("Please select only one."),
    # account/adapter.py
    gettext_noop("The new value must be different from the current one."),
    # account/adapter.py
    gettext_noop("Be patient, you are sending too many requests."),
    # account/adapter.py
    gettext_noop("Use your password"),
    # account/adapter.py
    gettext_noop("Send me a sign-in code"),
    # account/adapter.py
    gettext_noop("Use authenticator app or code"),
    # account/adapter.py
    gettext_noop("Use a security key"),
    # account/fields.py
    gettext_noop("Email"),
    # account/fields.py
    gettext_noop("Email address"),
    # account/fields.py
    gettext_noop("Forgot your password?"),
    # account/fields.py
    gettext_noop("Enter a phone number including country code (e.g. +1 for the US)."),
    # account/fields.py
    gettext_noop("Phone"),
    # account/forms.py
    gettext_noop("You must type the same password each time."),
    # account/forms.py
    gettext_noop("Password"),
    # account/forms.py
    gettext_noop("Remember Me"),
    # account/forms.py
    gettext_noop("Username"),
    # account/forms.py
    pgettext_lazy("field label", "Login"),
    # account/forms.py
    gettext_noop("Username, email or phone"),
    # account/forms.py
    gettext_noop("Username or email"),
    # account/forms.py
    gettext_noop("Username or phone"),
    # account/forms.py
    gettext_noop("Email or phone"),
    # account/forms.py
    gettext_noop("Email (again)"),
    # account/forms.py
    gettext_noop("Email address confirmation"),
    # account/forms.py
    gettext_noop("Email (optional)"),
    # account/forms.py
    gettext_noop("Username (optional)"),
    # account/forms.py
    gettext_noop("You must type the same email each time."),
    # account/forms.py
    gettext_noop("Password (again)"),
    # account/forms.py
    gettext_noop("Current Password"),
    # account/forms.py
    gettext_noop("New Password"),
    # account/forms.py
    gettext_noop("New Password (again)"),
    # account/forms.py
    gettext_noop("Code"),
    # templates/account/password_reset_from_key.html
    gettext_noop("Cancel"),
    # templates/account/account_inactive.html
    gettext_noop("Account Inactive"),
    # templates/account/account_inactive.html
    gettext_noop("This account is inactive."),
    # templates/account/email_confirm.html
    gettext_noop("Confirm"),
    # templates/account/base_reauthenticate.html
    gettext_noop("Confirm Access"),
    # templates/account/base_reauthenticate.html
    gettext_noop("Please reauthenticate to safeguard your account."),
    # templates/account/base_reauthenticate.html
    gettext_noop("Alternative options"),
    # templates/account/login.html
    gettext_noop("Sign In"),
    # templates/account/email/password_reset_subject.txt
    gettext_noop("Password Reset"),
    # templates/account/email.html
    gettext_noop("Email Addresses"),
    # templates/account/email.html
    gettext_noop("The following email addresses are associated with your account:"),
    # templates/account/email.html
    gettext_noop("Verified"),
    # templates/account/email.html
    gettext_noop("Unverified"),
    # templates/account/email.html
    gettext_noop("Primary"),
    # templates/account/email.html
    gettext_noop("Make Primary"),
    # templates/account/email.html
    gettext_noop("Re-send Verification"),
    # templates/account/email.html
    gettext_noop("Remove"),
    # templates/account/email.html
    gettext_noop("Add Email Address"),
    # templates/account/email.html
    gettext_noop("Add Email"),
    # templates/account/email.html
    gettext_noop("Do you really want to remove the selected email address?"),
    # templates/account/email/account_already_exists_message.txt
    gettext_noop(
        "You are receiving this email because you or someone else tried to signup for an\naccount using email address:\n\n%(email)s\n\nHowever, an account using that email address already exists.  In case you have\nforgotten about this, please use the password forgotten procedure to recover\nyour account:\n\n%(password_reset_url)s"
    ),
    # templates/account/email/account_already_exists_subject.txt
    gettext_noop("Account Already Exists"),
    # templates/account/email/base_message.txt
    gettext_noop("Hello from %(site_name)s!"),
    # templates/account/email/base_message.txt
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
    # templates/account/email/base_notification.txt
    gettext_noop(
        "You are receiving this mail because the following change was made to your account:"
    ),
    # templates/account/email/base_notification.txt
    gettext_noop(
        "If you do not recognize this change then please take proper security precautions immediately. The change to your account originates from:\n\n- IP address: %(ip)s\n- Browser: %(user_agent)s\n- Date: %(timestamp)s"
    ),
    # templates/account/email/email_changed_message.txt
    gettext_noop("Your email has been changed from %(from_email)s to %(to_email)s."),
    # templates/account/email/email_changed_subject.txt
    gettext_noop("Email Changed"),
    # templates/account/email/email_confirm_message.txt
    gettext_noop("Your email has been confirmed."),
    # templates/account/email/email_confirm_subject.txt
    gettext_noop("Email Confirmation"),
    # templates/account/email/email_confirmation_message.txt
    gettext_noop(
        "You're receiving this email because user %(user_display)s has given your email address to register an account on %(site_domain)s."
    ),
    # templates/account/email/email_confirmation_message.txt
    gettext_noop(
        "Your email verification code is listed below. Please enter it in your open browser window."
    ),
    # templates/account/email/email_confirmation_message.txt
    gettext_noop("To confirm this is correct, go to %(activate_url)s"),
    # templates/account/email/email_confirmation_subject.txt
    gettext_noop("Please Confirm Your Email Address"),
    # templates/account/email/email_deleted_message.txt
    gettext_noop("Email address %(deleted_email)s has been removed from your account."),
    # templates/account/email/email_deleted_subject.txt
    gettext_noop("Email Removed"),
    # templates/account/email/unknown_account_message.txt
    gettext_noop("This mail can be safely ignored if you did not initiate this action."),
    # templates/account/email/password_changed_message.txt
    gettext_noop("Your password has been changed."),
    # templates/account/email/password_changed_subject.txt
    gettext_noop("Password Changed"),
    # templates/account/email/password_reset_key_message.txt
    gettext_noop(
        "You're receiving this email because you or someone else has requested a password reset for your user account.\nIt can be safely ignored if you did not request a password reset. Click the link below to reset your password."
    ),
    # templates/account/email/password_reset_key_message.txt
    gettext_noop("In case you forgot, your username is %(username)s."),
    # templates/account/email/password_reset_key_subject.txt
    gettext_noop("Password Reset Email"),
    # templates/account/email/password_reset_message.txt
    gettext_noop("Your password has been reset."),
    # templates/account/email/password_set_message.txt
    gettext_noop("Your password has been set."),
    # templates/account/email/password_set_subject.txt
    gettext_noop("Password Set"),
    # templates/account/email/unknown_account_message.txt
    gettext_noop(
        "You are receiving this email because you, or someone else, tried to access an account with email %(email)s. However, we do not have any record of such an account in our database."
    ),
    # templates/account/email/unknown_account_message.txt
    gettext_noop("If it was you, you can sign up for an account using the link below."),
    # templates/account/email/unknown_account_subject.txt
    gettext_noop("Unknown Account"),
    # templates/account/email_change.html
    gettext_noop("Email Address"),
    # templates/account/email_change.html
    gettext_noop("Current email"),
    # templates/account/email_change.html
    gettext_noop("Changing to"),
    # templates/account/email_change.html
    gettext_noop("Your email address is still pending verification."),
    # templates/account/email_change.html
    gettext_noop("Cancel Change"),
    # templates/account/email_change.html
    gettext_noop("Change to"),
    # templates/account/email_change.html
    gettext_noop("Change Email"),
    # templates/account/email_confirm.html
    gettext_noop("Confirm Email Address"),
    # templates/account/email_confirm.html
    gettext_noop(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address for user %(user_display)s.'
    ),
    # templates/account/email_confirm.html
    gettext_noop(
        "Unable to confirm %(email)s because it is already confirmed by a different account."
    ),
    # templates/account/email_confirm.html
    gettext_noop(
        'This email confirmation link expired or is invalid. Please <a href="%(email_url)s">issue a new email confirmation request</a>.'
    ),
    # templates/account/login.html
    gettext_noop(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    ),
    # templates/account/login.html
    gettext_noop("Sign in with a passkey"),
    # templates/account/logout.html
    gettext_noop("Sign Out"),
    # templates/account/logout.html
    gettext_noop("Are you sure you want to sign out?"),
    # templates/account/messages/cannot_delete_primary_email.txt
    gettext_noop("You cannot remove your primary email address (%(email)s)."),
    # templates/account/messages/email_confirmation_sent.txt
    gettext_noop("Confirmation email sent to %(email)s."),
    # templates/account/messages/email_confirmed.txt
    gettext_noop("You have confirmed %(email)s."),
    # templates/account/messages/email_deleted.txt
    gettext_noop("Removed email address %(email)s."),
    # templates/account/messages/logged_in.txt
    gettext_noop("Successfully signed in as %(name)s."),
    # templates/account/messages/logged_out.txt
    gettext_noop("You have signed out."),
    # templates/account/messages/password_changed.txt
    gettext_noop("Password successfully changed."),
    # templates/account/messages/password_set.txt
    gettext_noop("Password successfully set."),
    # templates/account/messages/primary_email_set.txt
    gettext_noop("Primary email address set."),
    # templates/account/password_change.html
    gettext_noop("Change Password"),
    # templates/account/password_reset.html
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."
    ),
    # templates/account/password_reset.html
    gettext_noop("Reset My Password"),
    # templates/account/password_reset.html
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    # templates/account/password_reset_done.html
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    # templates/account/password_reset_from_key.html
    gettext_noop("Bad Token"),
    # templates/account/password_reset_from_key.html
    gettext_noop(
        'The password reset link was invalid, possibly because it has already been used.  Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    # templates/account/password_reset_from_key_done.html
    gettext_noop("Your password is now changed."),
    # templates/account/password_set.html
    gettext_noop("Set Password"),
    # templates/account/reauthenticate.html
    gettext_noop("Enter your password:"),
    # templates/account/signup.html
    gettext_noop("Signup"),
    # templates/account/signup.html
    gettext_noop("Sign Up"),
    # templates/account/signup.html
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    # templates/account/signup.html
    gettext_noop("Sign up using a passkey"),
    # templates/account/signup_closed.html
    gettext_noop("Sign Up Closed"),
    # templates/account/signup_closed.html
    gettext_noop("We are sorry, but the sign up is currently closed."),
    # templates/account/snippets/already_logged_in.html
    gettext_noop("Note"),
    # templates/account/snippets/already_logged_in.html
    gettext_noop("You are already logged in as %(user_display)s."),
    # templates/account/snippets/warn_no_email.html
    gettext_noop("Warning:"),
    # templates/account/snippets/warn_no_email.html
    gettext_noop(
        "You currently do not have any email address set up. You should really add an email address so you can receive notifications, reset your password, etc."
    ),
    # templates/account/verification_sent.html
    gettext_noop("Verify Your Email Address"),
    # templates/account/verification_sent.html
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup process. If you do not see the verification email in your main inbox, check your spam folder. Please contact us if you do not receive the verification email within a few minutes."
    ),
    # templates/account/verified_email_required.html
    gettext_noop(
        "This part of the site requires us to verify that\nyou are who you claim to be. For this purpose, we require that you\nverify ownership of your email address. "
    ),
    # templates/account/verified_email_required.html
    gettext_noop(
        "We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not receive it within a few minutes."
    ),
    # templates/account/verified_email_required.html
    gettext_noop(
        '<strong>Note:</strong> you can still <a href="%(email_url)s">change your email address</a>.'
    ),
    # templates/allauth/layouts/base.html
    gettext_noop("Messages:"),
    # templates/allauth/layouts/base.html
    gettext_noop("Menu:"),
    # templates/allauth/layouts/base.html
    gettext_noop("Account Connections"),
    # templates/allauth/layouts/base.html
    gettext_noop("Two-Factor Authentication"),
    # templates/allauth/layouts/base.html
    gettext_noop("Sessions"),
)


# Django's own words that a person can meet in our forms, carried here for the same reason:
# Django's Spanish says usted ("Introduzca una fecha válida.", "Su contraseña no puede ...").
# Form field and validator errors, model field validation errors, the auth forms' messages and
# the password validators; not the admin's. Each entry is Django's msgid exactly (from
# django/conf/locale and django/contrib/auth/locale); the German is Django's own (already neutral).
DJANGO_TEXTS = (
    # core/validators.py
    gettext_noop("Enter a valid value."),
    # core/validators.py
    gettext_noop("Enter a valid domain name."),
    # core/validators.py
    gettext_noop("Enter a valid URL."),
    # core/validators.py
    gettext_noop("Enter a valid integer."),
    # core/validators.py
    gettext_noop("Enter a valid email address."),
    # core/validators.py
    gettext_noop("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
    # core/validators.py
    gettext_noop(
        "Enter a valid “slug” consisting of Unicode letters, numbers, underscores, or hyphens."
    ),
    # core/validators.py
    gettext_noop("Enter a valid %(protocol)s address."),
    # core/validators.py
    gettext_noop("Enter only digits separated by commas."),
    # core/validators.py
    gettext_noop("Ensure this value is %(limit_value)s (it is %(show_value)s)."),
    # core/validators.py
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    # core/validators.py
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    # core/validators.py
    gettext_noop("Ensure this value is a multiple of step size %(limit_value)s."),
    # core/validators.py
    gettext_noop(
        "Ensure this value is a multiple of step size %(limit_value)s, starting from %(offset)s, e.g. %(offset)s, %(valid_value1)s, %(valid_value2)s, and so on."
    ),
    # core/validators.py
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    ),
    # core/validators.py
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    ),
    # core/validators.py
    gettext_noop("Enter a number."),
    # core/validators.py
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
    ),
    # core/validators.py
    ngettext_lazy(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
    ),
    # core/validators.py
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
    ),
    # core/validators.py
    gettext_noop("Null characters are not allowed."),
    # db/models/base.py
    gettext_noop("%(model_name)s with this %(field_labels)s already exists."),
    # db/models/fields/__init__.py
    gettext_noop("Value %(value)r is not a valid choice."),
    # db/models/fields/__init__.py
    gettext_noop("This field cannot be null."),
    # db/models/fields/__init__.py
    gettext_noop("This field cannot be blank."),
    # db/models/fields/__init__.py
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
    # db/models/fields/__init__.py
    gettext_noop("%(field_label)s must be unique for %(date_field_label)s %(lookup_type)s."),
    # db/models/fields/__init__.py
    gettext_noop("“%(value)s” value must be either True or False."),
    # db/models/fields/__init__.py
    gettext_noop("“%(value)s” value must be either True, False, or None."),
    # db/models/fields/__init__.py
    gettext_noop("“%(value)s” value has an invalid date format. It must be in YYYY-MM-DD format."),
    # db/models/fields/__init__.py
    gettext_noop(
        "“%(value)s” value has the correct format (YYYY-MM-DD) but it is an invalid date."
    ),
    # db/models/fields/__init__.py
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format."
    ),
    # db/models/fields/__init__.py
    gettext_noop(
        "“%(value)s” value has the correct format (YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]) but it is an invalid date/time."
    ),
    # db/models/fields/__init__.py
    gettext_noop("“%(value)s” value must be a decimal number."),
    # db/models/fields/__init__.py
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in [DD] [[HH:]MM:]ss[.uuuuuu] format."
    ),
    # db/models/fields/__init__.py
    gettext_noop("“%(value)s” value must be a float."),
    # db/models/fields/__init__.py
    gettext_noop("“%(value)s” value must be an integer."),
    # db/models/fields/__init__.py
    gettext_noop("“%(value)s” value must be either None, True or False."),
    # db/models/fields/__init__.py
    gettext_noop(
        "“%(value)s” value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format."
    ),
    # db/models/fields/__init__.py
    gettext_noop(
        "“%(value)s” value has the correct format (HH:MM[:ss[.uuuuuu]]) but it is an invalid time."
    ),
    # db/models/fields/__init__.py
    gettext_noop("“%(value)s” is not a valid UUID."),
    # db/models/fields/json.py
    gettext_noop("Value must be valid JSON."),
    # forms/fields.py
    gettext_noop("This field is required."),
    # forms/fields.py
    gettext_noop("Enter a whole number."),
    # forms/fields.py
    gettext_noop("Enter a valid date."),
    # forms/fields.py
    gettext_noop("Enter a valid time."),
    # forms/fields.py
    gettext_noop("Enter a valid date/time."),
    # forms/fields.py
    gettext_noop("Enter a valid duration."),
    # forms/fields.py
    gettext_noop("The number of days must be between {min_days} and {max_days}."),
    # forms/fields.py
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    # forms/fields.py
    gettext_noop("Enter a list of values."),
    # forms/fields.py
    gettext_noop("Enter a complete value."),
    # forms/fields.py
    gettext_noop("Enter a valid UUID."),
    # forms/fields.py
    gettext_noop("Enter a valid JSON."),
    # forms/models.py
    gettext_noop("Please correct the duplicate data for %(field)s."),
    # forms/models.py
    gettext_noop("Please correct the duplicate data for %(field)s, which must be unique."),
    # forms/models.py
    gettext_noop(
        "Please correct the duplicate data for %(field_name)s which must be unique for the %(lookup)s in %(date_field)s."
    ),
    # forms/models.py
    gettext_noop("Please correct the duplicate values below."),
    # forms/models.py
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    # forms/models.py
    gettext_noop("“%(pk)s” is not a valid value."),
    # forms/utils.py
    gettext_noop(
        "%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; it may be ambiguous or it may not exist."  # noqa: RUF001
    ),
    # contrib/auth/forms.py
    gettext_noop("The two password fields didn’t match."),  # noqa: RUF001
    # contrib/auth/forms.py
    gettext_noop("Password confirmation"),
    # contrib/auth/forms.py
    gettext_noop("Enter the same password as before, for verification."),
    # contrib/auth/forms.py
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
    ),
    # contrib/auth/forms.py
    gettext_noop("New password"),
    # contrib/auth/forms.py
    gettext_noop("New password confirmation"),
    # contrib/auth/forms.py
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    # contrib/auth/forms.py
    gettext_noop("Old password"),
    # contrib/auth/password_validation.py
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    # contrib/auth/password_validation.py
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
    ),
    # contrib/auth/password_validation.py
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    # contrib/auth/password_validation.py
    gettext_noop("Your password can’t be too similar to your other personal information."),  # noqa: RUF001
    # contrib/auth/password_validation.py
    gettext_noop("This password is too common."),
    # contrib/auth/password_validation.py
    gettext_noop("Your password can’t be a commonly used password."),  # noqa: RUF001
    # contrib/auth/password_validation.py
    gettext_noop("This password is entirely numeric."),
    # contrib/auth/password_validation.py
    gettext_noop("Your password can’t be entirely numeric."),  # noqa: RUF001
    # contrib/auth/validators.py
    gettext_noop(
        "Enter a valid username. This value may contain only unaccented lowercase a-z and uppercase A-Z letters, numbers, and @/./+/-/_ characters."
    ),
    # contrib/auth/validators.py
    gettext_noop(
        "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters."
    ),
)
